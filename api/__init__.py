"""Tenantry's driving side: the composition root (bootstrap), the HTTP API, the partner
console's pages and the command line."""
