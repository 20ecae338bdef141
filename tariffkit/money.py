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


# -- the same rule on whole columns (polars expressions) ------------------------------------------
#
# Money columns are Decimal(18, 2) kroner (``MONEY``) or, inside a computation, Int64 whole øre.
# Arithmetic that needs a product or a quotient (HÅP × price, hours × price per hour, a share of
# a change) is done on ``exact`` columns: Decimal with 20 places, so that a product of kroner and
# a ten-decimal HÅP is exact and a quotient is rounded 18 places below the øre; the result is
# rounded once, half away from zero, by ``ore_of`` or ``kr_of``. A float is never rounded as a
# float: 0.3 HÅP × 100.05 kr is 30.015 kr exactly and rounds to 30.02 kr (as floats it is
# 30.01499… and rounds to 30.01).

EXACT_PLACES = 20


def exact(e):
    """A column (expression or name) for exact money arithmetic: Decimal(38, 20). A float (HÅP,
    hours, a share) is taken at ten decimal places first, the precision HÅP is computed to, so
    0.1 is one tenth and not its binary neighbour; kroner and integers widen exactly. Not for an
    expression that is already exact (a product of ``exact`` columns): it would be cut to ten
    places; pass that to ``ore_of``, ``kr_of`` or ``ore_ratio`` as it is."""
    import polars as pl

    e = pl.col(e) if isinstance(e, str) else e
    return e.cast(pl.Decimal(38, 10)).cast(pl.Decimal(38, EXACT_PLACES))


def ore_of(e):
    """An amount in kroner rounded once to the øre, half away from zero: Int64 øre. ``e`` is an
    ``exact`` expression or a Decimal or integer column (a float column goes through ``exact``
    first: here it would be taken at its binary value)."""
    import polars as pl

    return (_wide(e).round(2, mode="half_away_from_zero") * 100).cast(pl.Int64)


def kr_of(e):
    """An amount in kroner (as for ``ore_of``) rounded once to whole kroner, half away from
    zero: MONEY kroner."""
    import polars as pl

    return _wide(e).round(0, mode="half_away_from_zero").cast(pl.Decimal(18, 2))


def ore_ratio(numerator, denominator):
    """numerator / denominator rounded once to a whole number, half away from zero (Int64), e.g.
    øre of salary ÷ hours = øre per hour; exact in Decimal (arguments as for ``ore_of``)."""
    import polars as pl

    return (_wide(numerator) / _wide(denominator)).round(0, mode="half_away_from_zero").cast(pl.Int64)


def kroner(ore):
    """Int64 øre → MONEY kroner, exactly."""
    import polars as pl

    return (ore.cast(pl.Decimal(38, 2)) / 100).cast(pl.Decimal(18, 2))


def _wide(e):
    import polars as pl

    e = pl.col(e) if isinstance(e, str) else e
    return e.cast(pl.Decimal(38, EXACT_PLACES))


def scaled_ore(amount_ore, factor: Decimal):
    """Each amount (an Int64 column of whole øre) × ``factor`` (an exact Decimal, e.g. the PL
    factor so far, 1.03² = 1.0609), rounded once to the øre, half away from zero: Int64 øre,
    exactly ``ore(kroner × factor)``. In whole numbers, factor = n / 10^s: øre × n / 10^s, half
    away from zero, in Int128 (in Python's integers where a product could pass Int128)."""
    import polars as pl

    s = max(0, -factor.as_tuple().exponent)  # type: ignore[operator]
    n, den = int(factor.scaleb(s)), 10**s
    a = pl.col(amount_ore) if isinstance(amount_ore, str) else amount_ore
    if abs(n) * 2 * 10**18 + den < 2**126:  # |øre| ≤ 10^18 (MONEY is Decimal(18, 2)): no overflow
        q = ((a.abs().cast(pl.Int128) * abs(n) * 2 + den) // (2 * den)).cast(pl.Int64)
        return q * a.sign() * (1 if n >= 0 else -1)
    return a.map_elements(lambda v: _scaled_int(v, n, den), return_dtype=pl.Int64)


def _scaled_int(v: int, n: int, den: int) -> int:
    q = (abs(v * n) * 2 + den) // (2 * den)
    return q if v * n >= 0 else -q
