"""The schema revision this code expects, readable without importing Alembic.

A test keeps it equal to the newest migration's revision.
"""

SCHEMA_HEAD = "0015"
