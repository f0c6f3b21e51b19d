"""The secret key `make run` keeps in .data/secret_key, for management commands run by hand."""

import os
from pathlib import Path

KEY_FILE = Path(__file__).resolve().parent.parent / ".data" / "secret_key"


def use_local_secret_key(key_file: Path = KEY_FILE) -> None:
    """Set SECRET_KEY from the key file when the environment has none; the environment wins."""
    if os.environ.get("SECRET_KEY"):
        return
    try:
        key = key_file.read_text().strip()
    except FileNotFoundError:
        return
    if key:
        os.environ["SECRET_KEY"] = key
