"""Rates typed as text (one home, no polars: the working folder's settings check them too):
the PL rate for the out-years (*pris- og lønfremskrivning*) and the phase-in of a re-placement
(*indfasning*)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from tariffkit.errors import UsageError


def parse_pl(text: str | None, year: int, out_years: int) -> dict[int, Decimal]:
    """``0.03`` (every out-year) or ``2025:0.031,2026:0.03`` (each out-year named)."""
    years = list(range(year + 1, year + out_years + 1))
    if text is None or text == "":
        text = "0.03"
    try:
        if ":" not in text:
            r = Decimal(text.replace(",", ".")) if "%" not in text else Decimal(text.replace("%", "").replace(",", ".")) / 100
            rates = {y: r for y in years}
        else:
            rates = {}
            for part in text.split(","):
                year_text, rate_text = part.split(":")
                rates[int(year_text)] = Decimal(rate_text.replace("%", "")) / (100 if "%" in rate_text else 1)
    except (ValueError, ArithmeticError):
        raise UsageError(f"`pl`: expected a rate like 0.03 or YEAR:RATE pairs like {year + 1}:0.031,{year + 2}:0.03, found {text!r}") from None
    missing = [y for y in years if y not in rates]
    if missing:
        raise UsageError(f"`pl`: no rate for out-year {missing[0]} (give every year {years[0]}–{years[-1]}, or one rate for all)")
    for y, r in rates.items():
        if not r.is_finite() or not Decimal("-0.5") < r < Decimal("0.5"):
            raise UsageError(f"`pl`: the rate for {y} ({r}) is not a yearly rate (expected e.g. 0.03)")
    return {y: rates[y] for y in years}


def parse_phase_in(text: str | None) -> list[tuple[int, float]]:
    """``2026:0.5,2027:1.0`` → [(2026, 0.5), (2027, 1.0)]; years increasing, shares in 0…1."""
    if not text:
        return []
    out = []
    for part in text.split(","):
        try:
            y, s = part.split(":")
            year, share = int(y), float(s.replace("%", "")) / (100 if "%" in s else 1)
        except ValueError:
            raise UsageError(f"`phase_in`: expected YEAR:SHARE pairs like 2026:0.5,2027:1.0, found {part!r}") from None
        if not 0 <= share <= 1:
            raise UsageError(f"`phase_in`: the share for {year} must be between 0 and 1, found {share:g}")
        out.append((year, share))
    years = [y for y, _ in out]
    if years != sorted(set(years)):
        raise UsageError("`phase_in`: years must be increasing, each once")
    return out


def phase_in_table(phases: Sequence[tuple[int | None, float]], whole: int | None):
    """The phase-in as a table to join: ``phase_year`` (Int32) and ``phase_share`` (Float64, an
    exact decimal through tariffkit.money.exact); no phase-in is the whole change in ``whole``
    (a year, or None for "not phased")."""
    import polars as pl

    rows = phases or [(whole, 1.0)]
    return pl.DataFrame({"phase_year": [y for y, _ in rows], "phase_share": [s for _, s in rows]}, schema={"phase_year": pl.Int32, "phase_share": pl.Float64})
