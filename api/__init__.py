"""Tenantry's driving side: the composition root (bootstrap), the HTTP API and the
command line."""
