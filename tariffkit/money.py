"""Money: exact Decimal kroner and the one rounding (half away from zero).

Every amount is a ``Decimal``; sums are exact. A figure is rounded once, where the docs say it
is (docs/concepts.md), with these functions: to the øre, to whole kroner, or to a multiple of a
step (a tariff's rounding under the rules file). ``ROUND_HALF_UP`` in Python's decimal module
rounds half away from zero, for negative amounts too (−2.5 → −3).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

D0 = Decimal(0)
ORE = Decimal("0.01")


def dec(v) -> Decimal:
    """A number as an exact Decimal (a float through its shortest text, never its binary value)."""
    return v if isinstance(v, Decimal) else Decimal(str(v))


def ore(x) -> Decimal:
    """Round to the øre, half away from zero."""
    return dec(x).quantize(ORE, rounding=ROUND_HALF_UP)


def kr(x) -> Decimal:
    """Round to whole kroner, half away from zero."""
    return dec(x).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def round_to(x, step) -> Decimal:
    """Round to a multiple of ``step`` kroner (0.01, 1, 10, …), half away from zero."""
    step = dec(step)
    return ((dec(x) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(min(step, Decimal(1)))
