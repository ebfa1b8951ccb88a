"""The driven side: what talks to PostgreSQL, SQLite, SMTP, webhook receivers over HTTP
and files, behind the ports that ``application`` and ``projections`` declare."""
