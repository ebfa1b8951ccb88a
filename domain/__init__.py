"""Tenantry's domain: the Customer, Partner and ServiceAccount aggregates and their rules."""
