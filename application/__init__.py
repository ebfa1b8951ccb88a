"""Tenantry's use cases over the aggregates: commands, queries, clock, settings."""
