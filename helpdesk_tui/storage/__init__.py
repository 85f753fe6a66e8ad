"""Persistence: SQLModel tables, engine, unit of work, repositories, paged reads, migrations."""
