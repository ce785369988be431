"""Parse single values with certainty, or say why not: whole numbers (dates: :mod:`.dates`)."""

from __future__ import annotations

import re

__all__ = ["parse_whole_number"]


def parse_whole_number(text: str) -> int:
    """A whole number, allowing a trailing ``.0`` (as spreadsheets write them)."""
    value = text.strip()
    if re.fullmatch(r"-?\d+(?:\.0+)?", value):
        return int(float(value)) if "." in value else int(value)
    raise ValueError(f"{value!r} is not a whole number")
