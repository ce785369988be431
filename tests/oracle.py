"""An independent oracle for the consistency checker: brute force with :mod:`decimal`.

It shares no code with ``caresurvey.published``: percentages are computed by decimal division
and rounded with ``Decimal.quantize`` in each mode, every count 0..n is tried, and joint
solutions are enumerated one by one.
"""

from __future__ import annotations

import itertools
from decimal import ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

_MODES = {"half-up": [ROUND_HALF_UP], "half-even": [ROUND_HALF_EVEN], "either": [ROUND_HALF_UP, ROUND_HALF_DOWN]}


def prints_as(k: int, n: int, printed: str, mode: str) -> bool:
    """Whether 100 k / n, rounded in ``mode`` to the printed precision, gives ``printed``."""
    text = printed.strip().rstrip("%").strip()
    target = Decimal(text)
    with localcontext() as context:
        context.prec = 60  # 100 k / n for n below 10**6 is either exact or far from a tie here
        exact = Decimal(100 * k) / Decimal(n)
        return any(exact.quantize(target, rounding=rounding) == target for rounding in _MODES[mode])


def counts(printed: str, n: int, mode: str, count: int | None = None) -> list[int]:
    """All k in 0..n that print as ``printed``."""
    found = [k for k in range(n + 1) if prints_as(k, n, printed, mode)]
    return [k for k in found if count is None or k == count]


def group_options(cells: list[tuple[str, str]], n: int, mode: str, structure: str = "independent") -> list[tuple[int, ...]]:
    """Every count vector of one group at ``n``; ``cells`` are (item, printed) pairs."""
    options = []
    for combination in itertools.product(*(counts(printed, n, mode) for _, printed in cells)):
        if structure == "exclusive" and sum(combination) > n:
            continue
        if structure == "complete" and sum(combination) != n:
            continue
        options.append(combination)
    return options
