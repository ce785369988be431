"""Exact arithmetic for percentages as printed: which counts k out of n print as a value.

Everything here uses :class:`fractions.Fraction`; there is no floating-point tolerance.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

__all__ = ["Rounding", "PrintedPercent", "RoundingInterval", "feasible_counts", "is_feasible_count"]


class Rounding(str, Enum):
    """How the publisher rounded exact percentages to the printed precision.

    ``half-up``
        A value exactly halfway between two printed values goes up (Excel's ROUND, SPSS).
    ``half-even``
        A value exactly halfway goes to the even neighbour (R's ``round``, numpy, IEEE 754).
    ``either``
        A value exactly halfway may have gone up or down. This admits half-up, half-even,
        half-down and the artefacts of binary floating point: 29/200 is 14.5% exactly, but
        ``29 / 200 * 100`` is ``14.499999999999998`` in double precision, so software that
        claims to round half up can still print 14%. A consistency checker must not call a
        table inconsistent because of that, so ``either`` is the default.
    """

    HALF_UP = "half-up"
    HALF_EVEN = "half-even"
    EITHER = "either"


_NUMBER = re.compile(r"^(?P<int>\d+)(?:\.(?P<frac>\d+))?$")


@dataclass(frozen=True)
class PrintedPercent:
    """A percentage exactly as printed, e.g. ``"27%"`` or ``"14.5"``.

    Attributes
    ----------
    text : str
        The printed text, stripped of whitespace.
    value : Fraction
        The printed number, exactly.
    decimals : int
        Number of decimal places printed; ``"27.0"`` has one, ``"27"`` none.
    """

    text: str
    value: Fraction
    decimals: int

    @classmethod
    def parse(cls, text: str) -> "PrintedPercent":
        """Parse a printed percentage; raise ``ValueError`` with the reason if it is not one."""
        cleaned = str(text).strip()
        if cleaned.endswith("%"):
            cleaned = cleaned[:-1].strip()
        match = _NUMBER.match(cleaned)
        if match is None:
            raise ValueError(
                f"{text!r} is not a printed percentage: expected digits with an optional decimal "
                "part and an optional '%' sign, such as 27%, 27 or 27.5"
            )
        decimals = len(match.group("frac") or "")
        value = Fraction(int(match.group("int") + (match.group("frac") or "")), 10**decimals)
        if value > 100:
            raise ValueError(f"{text!r} is not a percentage between 0 and 100")
        return cls(text=str(text).strip(), value=value, decimals=decimals)

    @property
    def half_unit(self) -> Fraction:
        """Half of the last printed digit: 0.5 for whole percentages, 0.05 for one decimal."""
        return Fraction(1, 2 * 10**self.decimals)

    @property
    def last_digit_is_even(self) -> bool:
        """Whether the printed value is even in its last printed digit (for half-even ties)."""
        return (self.value * 10**self.decimals).numerator % 2 == 0


@dataclass(frozen=True)
class RoundingInterval:
    """The exact percentages that print as a value: from ``low`` to ``high``.

    Each end is included or not according to the rounding mode.
    """

    low: Fraction
    high: Fraction
    low_closed: bool
    high_closed: bool

    def __contains__(self, x: Fraction) -> bool:
        above = x > self.low or (self.low_closed and x == self.low)
        below = x < self.high or (self.high_closed and x == self.high)
        return above and below


@functools.lru_cache(maxsize=4096)  # the consistency checker asks for each cell's at every candidate n
def rounding_interval(printed: PrintedPercent, rounding: Rounding | str) -> RoundingInterval:
    """The set of exact percentages that a publisher rounding by ``rounding`` prints as ``printed``.

    Notes
    -----
    With ``h`` half of the last printed digit, a value ``x`` prints as ``p`` when
    ``p - h <= x < p + h`` (half-up), when ``p - h < x < p + h`` or ``x = p +/- h`` with ``p``
    even in its last digit (half-even), and when ``p - h <= x <= p + h`` (either).
    Percentages are never negative, so the lower end of 0% does not matter.
    """
    rounding = Rounding(rounding)
    p, h = printed.value, printed.half_unit
    if rounding is Rounding.HALF_UP:
        return RoundingInterval(p - h, p + h, low_closed=True, high_closed=False)
    if rounding is Rounding.HALF_EVEN:
        even = printed.last_digit_is_even
        return RoundingInterval(p - h, p + h, low_closed=even, high_closed=even)
    return RoundingInterval(p - h, p + h, low_closed=True, high_closed=True)


def feasible_counts(printed: PrintedPercent, n: int, rounding: Rounding | str) -> range:
    """All counts ``k`` in ``0..n`` for which ``100 k / n`` prints as ``printed``.

    The answer is always a contiguous range (possibly empty), since ``100 k / n`` grows with ``k``.

    Parameters
    ----------
    printed : PrintedPercent
        The value as printed.
    n : int
        The denominator, at least 1.
    rounding : Rounding or str
        The rounding mode.

    Returns
    -------
    range
        The feasible counts, ascending.
    """
    if n < 1:
        raise ValueError(f"a denominator must be at least 1, not {n}")
    interval = rounding_interval(printed, rounding)
    # 100 k / n >= low  <=>  k >= low * n / 100, in whole numbers (exact, and far faster than
    # Fraction arithmetic at the consistency checker's thousands of candidate n)
    low_top, low_bottom = interval.low.numerator * n, interval.low.denominator * 100
    first = max(0, -(-low_top // low_bottom))
    if not interval.low_closed and low_top % low_bottom == 0 and first == low_top // low_bottom:
        first += 1
    high_top, high_bottom = interval.high.numerator * n, interval.high.denominator * 100
    last = min(n, high_top // high_bottom)
    if not interval.high_closed and high_top % high_bottom == 0 and last == high_top // high_bottom:
        last -= 1
    return range(first, last + 1) if first <= last else range(0)


def is_feasible_count(printed: PrintedPercent, k: int, n: int, rounding: Rounding | str) -> bool:
    """Whether ``k`` out of ``n`` prints as ``printed`` under ``rounding``."""
    return 0 <= k <= n and Fraction(100 * k, n) in rounding_interval(printed, rounding)
