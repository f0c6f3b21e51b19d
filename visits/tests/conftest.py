"""Fixtures for every visits test."""

import pytest

from visits import visitors


@pytest.fixture(autouse=True)
def _fresh_salts():
    """Forget salts cached in this process by earlier tests, whose rows were rolled back."""
    visitors._salts.clear()
    yield
    visitors._salts.clear()
