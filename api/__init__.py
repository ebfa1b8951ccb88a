"""Tenantry's entry points: the composition root, the command line, (later) HTTP."""
