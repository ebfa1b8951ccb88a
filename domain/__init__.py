"""Tenantry's domain: the Customer, Partner, User, ServiceAccount and WebhookEndpoint
aggregates, their events and their rules."""
