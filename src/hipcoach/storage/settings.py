"""Reading and writing the runner's settings: one row per key, the value as JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hipcoach.settings import Settings
from hipcoach.storage.tables import SettingRow


class SettingsRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self) -> Settings:
        """The saved settings; defaults for anything never saved. Unknown keys (from a newer
        version) are ignored rather than failing."""
        with Session(self.engine) as s:
            stored = {r.key: r.value for r in s.scalars(select(SettingRow))}
        known = {k: v for k, v in stored.items() if k in Settings.model_fields}
        return Settings.model_validate(known)

    def save(self, settings: Settings) -> Settings:
        """Replace every setting in one transaction."""
        now = datetime.now(UTC)
        with Session(self.engine) as s, s.begin():
            for key, value in settings.model_dump().items():
                row = s.get(SettingRow, key)
                if row is None:
                    s.add(SettingRow(key=key, value=value, updated_at=now))
                else:
                    row.value = value
                    row.updated_at = now
        return settings
