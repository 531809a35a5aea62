"""Storage: models, sessions, migrations and one module of queries per table."""
