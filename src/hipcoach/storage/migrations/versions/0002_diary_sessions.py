"""Pain diary, saved assessments, session logs and the plan's state.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pain_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("pain", sa.Integer, nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("timing", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
        sa.CheckConstraint("pain >= 0 AND pain <= 10", name="ck_pain_entry_pain"),
    )
    op.create_index("ix_pain_entry_day", "pain_entry", ["day"])
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kb_version", sa.String(32), nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
    )
    op.create_index("ix_assessment_created", "assessment", ["created_at"])
    op.create_table(
        "session_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("uid_key", sa.Text, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("pain_during", sa.Integer),
        sa.Column("pain_next_morning", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_session_log_day", "session_log", ["day"])
    op.create_table(
        "plan_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_plan_state_single_row"),
    )


def downgrade() -> None:
    op.drop_table("plan_state")
    op.drop_index("ix_session_log_day", table_name="session_log")
    op.drop_table("session_log")
    op.drop_index("ix_assessment_created", table_name="assessment")
    op.drop_table("assessment")
    op.drop_index("ix_pain_entry_day", table_name="pain_entry")
    op.drop_table("pain_entry")
