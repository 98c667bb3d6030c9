"""Alembic environment: the connection is always handed in by hipcoach.storage.db."""

from __future__ import annotations

from alembic import context

from hipcoach.storage.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
)
with context.begin_transaction():
    context.run_migrations()
