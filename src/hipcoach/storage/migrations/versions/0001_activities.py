"""Activities and their original files.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_file",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("stored_path", sa.Text),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "source_file_id",
            sa.Integer,
            sa.ForeignKey("source_file.id", ondelete="CASCADE"),
            index=True,
        ),
        sa.Column("sport", sa.String(32), nullable=False),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_s", sa.Integer),
        sa.Column("elapsed_s", sa.Float, nullable=False),
        sa.Column("moving_s", sa.Float),
        sa.Column("distance_m", sa.Float),
        sa.Column("ascent_m", sa.Float),
        sa.Column("avg_hr", sa.Float),
        sa.Column("max_hr", sa.Float),
        sa.Column("avg_cadence_spm", sa.Float),
        sa.Column("avg_speed_mps", sa.Float),
        sa.Column("max_speed_mps", sa.Float),
        sa.Column("calories", sa.Float),
        sa.Column("device", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("gear", sa.Text),
        sa.Column("rpe", sa.Float),
        sa.Column("notes", sa.Text),
        sa.Column("source_format", sa.String(16), nullable=False),
    )
    op.create_index("ix_activity_start", "activity", ["start_utc"])


def downgrade() -> None:
    op.drop_index("ix_activity_start", table_name="activity")
    op.drop_table("activity")
    op.drop_table("source_file")
