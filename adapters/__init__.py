"""The driven side: what talks to PostgreSQL, SQLite, SMTP and files, behind the ports
that ``application`` and ``projections`` declare."""
