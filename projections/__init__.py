"""Views built from the events: SQL tables kept exactly once per event."""
