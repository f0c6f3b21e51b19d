"""Choosing the database server."""

from pathlib import Path

from proj.database import database_settings


class DatabaseSettingsTest:
    def test_database_settings_with_url(self, tmp_path: Path):
        settings = database_settings(url="postgres://u:p@db.example:6543/tally", data_dir=tmp_path)

        assert settings["ENGINE"] == "django.db.backends.postgresql"
        assert (settings["HOST"], settings["PORT"], settings["NAME"]) == (
            "db.example",
            6543,
            "tally",
        )
        assert settings["OPTIONS"] == {"options": "-c jit=off"}
        assert not any(tmp_path.iterdir())
