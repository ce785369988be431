"""Shared fixtures: where the external material beside the project lives."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed documents (``../shared/seeds``); tests needing them skip where it is absent."""
    folder = SHARED / "seeds"
    if not folder.is_dir():
        pytest.skip(f"seed documents not found at {folder} (they sit beside the project in ../shared)")
    return folder


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """External real data (``../shared/data``); tests needing it skip where it is absent."""
    folder = SHARED / "data"
    if not folder.is_dir():
        pytest.skip(f"external data not found at {folder} (it sits beside the project in ../shared)")
    return folder
