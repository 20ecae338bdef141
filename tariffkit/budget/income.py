"""The rules the budget model shares with the annual close: income from places, the change from
last year split into volume and price, next year's cost lines, and tables split by offer once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from tariffkit.errors import DataError
from tariffkit.money import D0, dec, kr, ore


@dataclass(frozen=True)
class PlaceIncome:
    """An offer's income from its places in a year (*indtægter fra salg af pladser*)."""

    places: Decimal  # Σ HÅP × annual tariff, whole kroner
    places_other: Decimal  # of which other municipalities' citizens, whole kroner
    supplements: Decimal  # 5+ supplement hours × the price per weekly hour, whole kroner
    haap_own: Decimal
    haap_other: Decimal

    @property
    def income(self) -> Decimal:
        return self.places + self.supplements

    @property
    def haap(self) -> Decimal:
        return self.haap_own + self.haap_other


def place_income(
    h: dict[tuple[int, str], Decimal],
    supplement_hours: Decimal,
    tariff: dict[int, Decimal],
    price_per_weekly_hour: Decimal,
    *,
    what: str = "offer",
    file: str = "haap",
) -> PlaceIncome:
    """Income = Σ_(level, origin) HÅP × the level's annual tariff (rounded once, to whole
    kroner, half away from zero) + 5+ supplement hours × the price per weekly hour (whole
    kroner). The one rule for income, used by the budget model and the annual close."""
    total = other = D0
    for (lv, o), v in sorted(h.items()):
        if lv not in tariff:
            raise DataError(f"{what}: HÅP on level {lv}, which has no tariff", file=file, column="level")
        total += v * tariff[lv]
        if o == "other":
            other += v * tariff[lv]
    return PlaceIncome(
        places=kr(total),
        places_other=kr(other),
        supplements=kr(supplement_hours * price_per_weekly_hour),
        haap_own=sum((v for (_, o), v in h.items() if o != "other"), D0),
        haap_other=sum((v for (_, o), v in h.items() if o == "other"), D0),
    )


def year_on_year(previous: pl.DataFrame | _PerOffer, offer: str, year: int, blocks: dict) -> tuple[str, dict[str, Decimal]] | None:
    """The change in cost basis from last year's forecast (the ``previous`` budget table's
    ``forecast`` of year − 1, else its tariff budget) to this year's tariff budget (else
    forecast), split: volume effect = (HÅP − HÅP last year) × cost per HÅP last year (exact,
    rounded once to the øre), price effect = the change − the volume effect (so they add up).
    The cost basis leaves the carried result out: a one-off carry is neither volume nor price."""
    rows = previous.rows(offer) if isinstance(previous, _PerOffer) else list(previous.filter(pl.col("offer_id") == offer).iter_rows(named=True))
    prev = None
    for basis in ("forecast", "tariff_budget"):
        got = {r["line"]: r["value"] for r in rows if r["year"] == year - 1 and r["basis"] == basis}
        if got.get("cost_basis") is not None and got.get("haap_total"):
            prev = (dec(got["cost_basis"]), dec(got["haap_total"]))
            break
    key = ("tariff_budget", year) if "haap" in blocks.get(("tariff_budget", year), {}) else ("forecast", year)
    now = blocks.get(key)
    if prev is None or now is None or "haap" not in now:
        return None
    cost_prev, haap_prev = prev
    per_haap = cost_prev / haap_prev
    change = now["cost_basis"] - cost_prev
    volume = ore((now["haap"] - haap_prev) * per_haap)
    return key[0], {
        "previous_haap": haap_prev,
        "previous_cost_basis": cost_prev,
        "previous_cost_per_haap": ore(per_haap),
        "cost_change": change,
        "volume_effect": volume,
        "price_effect": change - volume,
    }


def next_year_costs(costs: pl.DataFrame, year: int, rate: Decimal, basis: str = "forecast", file: str = "costs") -> pl.DataFrame:
    """The costs table with next year's budget added: every cost line of ``year``'s ``basis``
    × (1 + ``rate``), each line rounded to the øre (half away from zero, as the out-years), as
    basis ``tariff_budget`` of year + 1. The carried result is left out: the result carried
    into year + 1 comes from close-year's results table (``tariff-build --results``)."""
    from tariffkit.contracts import COSTS

    src = costs.filter((pl.col("year") == year) & (pl.col("basis") == basis) & (pl.col("group") != "carried_result"))
    if src.height == 0:
        raise DataError(f"no cost lines for {year} with basis {basis} to index into {year + 1}", file=file, column="year")
    if costs.filter((pl.col("year") == year + 1) & (pl.col("basis") == "tariff_budget")).height:
        raise DataError(f"the costs already have a tariff budget for {year + 1}; it is not made again", file=file, column="year")
    factor = 1 + rate
    amounts = [ore(dec(a) * factor) for a in src["amount"]]
    nxt = src.with_columns(year=pl.lit(year + 1, pl.Int32), basis=pl.lit("tariff_budget"), amount=pl.Series(amounts, dtype=src.schema["amount"]))
    return pl.concat([costs.select(COSTS.names), nxt.select(COSTS.names)]).sort("year", "basis", "offer_id", "line")


class _PerOffer:
    """A table split by offer once (one pass), so the per-offer model looks its rows up instead
    of filtering the whole table for each of 1,667 offers: as frames (``[offer]``) or as plain
    rows (:meth:`rows`, read from the table in one pass; no polars query per offer)."""

    def __init__(self, df: pl.DataFrame | None):
        self.df = df
        self.columns: list[str] = [] if df is None else df.columns
        self._parts: dict[str, pl.DataFrame] | None = None
        self._rows: dict[str, list[dict]] | None = None

    @property
    def parts(self) -> dict[str, pl.DataFrame]:
        if self._parts is None:
            df = self.df
            self._parts = {} if df is None or df.height == 0 else {k[0]: v for k, v in df.partition_by("offer_id", as_dict=True, maintain_order=True).items()}
        return self._parts

    def __getitem__(self, offer: str) -> pl.DataFrame:
        return self.parts.get(offer, self.df.clear() if self.df is not None else pl.DataFrame())

    def rows(self, offer: str) -> list[dict]:
        """The offer's rows as dicts, in the table's order."""
        if self._rows is None:
            self._rows = {}
            if self.df is not None:
                for r in self.df.iter_rows(named=True):
                    self._rows.setdefault(r["offer_id"], []).append(r)
        return self._rows.get(offer, [])


def _haap_by_level(h: pl.DataFrame | _PerOffer | None, offer: str) -> tuple[dict[tuple[int, str], Decimal], Decimal]:
    """{(level, origin): HÅP}, supplement hours for one offer."""
    if h is None or (isinstance(h, _PerOffer) and h.df is None):
        return {}, D0
    rows = h.rows(offer) if isinstance(h, _PerOffer) else list(h.filter(pl.col("offer_id") == offer).iter_rows(named=True))
    out: dict[tuple[int, str], Decimal] = {}
    for r in rows:
        key = (int(r["level"]), r.get("origin") or "own")
        out[key] = out.get(key, D0) + dec(r["haap"])
    supp = sum((dec(r["supplement_hours"] or 0) for r in rows), D0) if rows and "supplement_hours" in rows[0] else D0
    return out, supp


def expected_haap(h: pl.DataFrame, year: int, file: str = "haap") -> pl.DataFrame:
    """HÅP per offer and level for ``year`` from any of the tables that carry it (*forventede
    helårspersoner*): compute-haap's or occupancy's table (the year's ``period`` kept; a line
    without a level left out), or reassign's output (each citizen one HÅP at the new level).
    occupancy's ``origin`` (own or other municipalities' citizens) is kept beside the
    ``expected_haap`` contract."""
    from tariffkit.contracts import EXPECTED_HAAP, conform
    from tariffkit.errors import DataError

    if "new_level" in h.columns and "hours_counted" in h.columns:
        from tariffkit.tariffs import expected_from_reassignments

        h = expected_from_reassignments(h)
    if "period" in h.columns:
        h = h.filter(pl.col("period") == str(year))
        if h.height == 0:
            raise DataError(f"no rows for period {year}; run compute-haap `year` {year}", file=file, column="period")
    if "level" in h.columns and h["level"].null_count():
        h = h.filter(pl.col("level").is_not_null())
    keep_origin = "origin" in h.columns
    out = conform(h, EXPECTED_HAAP, file=file, check_key=not keep_origin)
    return out.with_columns(origin=h["origin"]) if keep_origin else out
