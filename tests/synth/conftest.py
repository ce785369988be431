"""One synthetic study per test session, and helpers that read it without caresurvey's own code.

The checks on the generated files read them with the csv module, openpyxl, pyreadstat and the
standard library's zip and XML modules, and compute percentages with :mod:`decimal`, so that
they prove what the files hold independently of the generator and of the analysis code.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest



@pytest.fixture(scope="session")
def study(synthetic_study) -> Path:
    """The shipped synthetic study (default seed), written once per session."""
    return synthetic_study


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def day(text: str) -> dt.date:
    """A dd/mm/yyyy date, as SSDA903 files hold them."""
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def printed(count: int, n: int) -> set[str]:
    """``count / n`` as a whole percentage, under half-up and under half-even rounding."""
    exact = Decimal(100 * count) / Decimal(n)
    return {f"{exact.quantize(Decimal(1), rounding=mode)}%" for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN)}
