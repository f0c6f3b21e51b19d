"""The secret key make run keeps, found by manage.py run by hand."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from proj.localkey import use_local_secret_key

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


@pytest.fixture
def no_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)


class UseLocalSecretKeyTest:
    def test_use_local_secret_key_reads_file(self, no_secret_key, tmp_path):
        key_file = tmp_path / "secret_key"
        key_file.write_text("local-key-0123456789\n")

        use_local_secret_key(key_file)

        assert os.environ["SECRET_KEY"] == "local-key-0123456789"

    def test_use_local_secret_key_environment_wins(self, monkeypatch, tmp_path):
        monkeypatch.setenv("SECRET_KEY", "from-environment")
        key_file = tmp_path / "secret_key"
        key_file.write_text("local-key-0123456789\n")

        use_local_secret_key(key_file)

        assert os.environ["SECRET_KEY"] == "from-environment"

    def test_use_local_secret_key_no_file(self, no_secret_key, tmp_path):
        use_local_secret_key(tmp_path / "secret_key")

        assert "SECRET_KEY" not in os.environ

    def test_use_local_secret_key_empty_file(self, no_secret_key, tmp_path):
        key_file = tmp_path / "secret_key"
        key_file.write_text("\n")

        use_local_secret_key(key_file)

        assert "SECRET_KEY" not in os.environ


class ManagePyTest:
    def test_manage_py_bad_settings_one_line(self):
        env = {
            **os.environ,
            "COOKIE_SAMESITE": "Sometimes",
            "DATABASE_URL": "postgres://tally@127.0.0.1:1/tally",  # never connected to
        }

        result = subprocess.run(  # noqa: S603 (our own manage.py)
            [sys.executable, str(MANAGE_PY), "check"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

        assert result.returncode == 1
        assert result.stderr == "manage.py: COOKIE_SAMESITE must be Lax, Strict or None.\n"
