"""Tenantry's use cases over the aggregates (commands and queries) and the ports they
need: clock, event store, mail transport, lists and due work, idempotency store."""
