"""The annual close (*årsafslutning*) and the settlement (*efterregulering*) of a year.

Per offer, for the closed year t (every figure in kroner to the øre; :mod:`tariffkit.rules`
says how the result is split):

    cost_basis   = Σ the year's cost lines (basis ``actual``, or ``forecast`` for a year not yet
                   over: actuals to date plus the forecast), the carried result left out
    carried_in   = the result of an earlier year in year t's tariff basis (the costs'
                   ``carried_result`` lines of that basis, or the results table's carry into t)
    tariff_basis = cost_basis + carried_in
    income       = Σ actual HÅP per level and origin × year t's annual tariffs + 5+
                   supplements (:func:`tariffkit.budget.place_income`, the budget model's rule)
    result       = income − tariff_basis (a surplus is positive)
    result       = −carried + set_aside + kept      (carried enters year t + offset's basis;
                   a result below the tariffs' rounding per HÅP is kept, flagged
                   ``rounding_residue``: see :mod:`tariffkit.rules`)

Settlement: the tariffs recomputed on the year's actual cost basis and actual occupancy (the
tariff-build rule, :func:`tariffkit.tariffs.build`), and per paying municipality, offer and
level, what was billed at the year's tariffs against what the recomputed tariffs give, by the
billing rule (days × daily tariff, :func:`tariffkit.placements.billing`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from tariffkit.budget import D0, _haap_by_level, dec, place_income
from tariffkit.danish import MONEY
from tariffkit.errors import DataError
from tariffkit.rules import Split, TariffRules, split

RESULT_MONEY = (
    "cost_basis",
    "carried_in",
    "tariff_basis",
    "income_places",
    "income_places_other",
    "income_supplements",
    "income",
    "result",
    "carried",
    "set_aside",
    "set_aside_used",
    "kept",
)


@dataclass
class CloseResult:
    """``results``: the results table (this year's rows with the history's other years);
    ``recomputed``: the tariffs on actual costs and occupancy; ``settlement``: per paying
    municipality, offer and level (None without placements)."""

    results: pl.DataFrame
    recomputed: pl.DataFrame | None = None
    settlement: pl.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)


def carried_into(results: pl.DataFrame | None, year: int) -> dict[str, Decimal]:
    """{offer: carried} for the results that enter ``year``'s tariff basis."""
    if results is None or results.height == 0:
        return {}
    r = results.filter(pl.col("carry_into_year") == year)
    out: dict[str, Decimal] = {}
    for o, c in r.select("offer_id", "carried").iter_rows():
        out[o] = out.get(o, D0) + dec(c)
    return out


def check_no_double_carry(costs: pl.DataFrame, results: pl.DataFrame | None, year: int, basis: str, file_costs: str, file_results: str) -> None:
    """A result carried by the results table into ``year`` and a typed-in carried result for
    the same offer and year would count the same result twice."""
    carry = carried_into(results, year)
    if not carry:
        return
    typed = costs.filter((pl.col("year") == year) & (pl.col("basis") == basis) & (pl.col("group") == "carried_result") & (pl.col("amount") != 0))
    both = sorted(set(typed["offer_id"].to_list()) & set(carry))
    if both:
        raise DataError(
            f"offer {both[0]}: the results table carries a result into {year}, and the costs have a typed-in carried result for {year} "
            f"({basis}) too; remove the typed-in line or leave the results out",
            file=file_results,
            column="carry_into_year",
        )


def carries(
    results: pl.DataFrame, costs: pl.DataFrame, year: int, out_years: int, files: tuple[str, str] = ("costs", "results")
) -> tuple[dict[str, Decimal], dict[tuple[str, int], Decimal]]:
    """What the results table carries into the offer model: {offer: carried} into ``year`` and
    {(offer, out-year): carried} into each of the ``out_years`` after it; refused when a cost
    line of ``year`` already types the same carried result in (it would count twice)."""
    for basis in ("budget", "tariff_budget", "forecast"):
        check_no_double_carry(costs, results, year, basis, *files)
    later = {(o, y): v for y in range(year + 1, year + out_years + 1) for o, v in carried_into(results, y).items()}
    return carried_into(results, year), later


def close_year(
    costs: pl.DataFrame,
    occupancy: pl.DataFrame,
    tariffs: pl.DataFrame,
    rules: TariffRules,
    year: int,
    *,
    basis: str = "actual",
    history: pl.DataFrame | None = None,
    replace: bool = False,
    structure=None,
    placements: pl.DataFrame | None = None,
    files: dict[str, str] | None = None,
) -> CloseResult:
    """Close ``year``: the results table (``history``'s other years kept), and with
    ``structure`` the recomputed tariffs, and with ``placements`` too the settlement."""
    files = files or {}
    f_costs, f_tariffs, f_haap, f_results = (files.get(k, k) for k in ("costs", "tariffs", "occupancy", "results"))
    c = costs.filter((pl.col("year") == year) & (pl.col("basis") == basis))
    if c.height == 0:
        raise DataError(f"no cost lines for {year} with basis {basis}: nothing to close", file=f_costs, column="year")
    t = tariffs.filter((pl.col("tariff_kind") == "level") & (pl.col("year") == year))
    if t.height == 0:
        raise DataError(
            f"no level tariffs for {year}: the year's income cannot be computed without the tariffs it was billed at", file=f_tariffs, column="year"
        )
    check_no_double_carry(costs, history, year, basis, f_costs, f_results)
    from_history = carried_into(history, year)
    rows, warnings = [], []
    from tariffkit.budget import _PerOffer

    # every table split by offer once into plain rows (no polars query per offer)
    c_of, t_of, occ_of = _PerOffer(c), _PerOffer(t), _PerOffer(occupancy)
    common = t_of.rows("*")
    t_rows = list(t.iter_rows(named=True)) if common else []
    for offer in sorted(set(c["offer_id"].to_list())):
        oc = c_of.rows(offer)
        ot = t_of.rows(offer) if not common else [r for r in t_rows if r["offer_id"] in (offer, "*")]
        if not ot:
            raise DataError(f"offer {offer}: cost lines for {year} but no tariffs for {year}", file=f_tariffs, column="offer_id")
        # (a line without a group counts in neither sum, as a filter on the group would have it)
        cost_basis = sum((dec(r["amount"]) for r in oc if r["group"] is not None and r["group"] != "carried_result"), D0)
        carried_in = sum((dec(r["amount"]) for r in oc if r["group"] == "carried_result"), D0) + from_history.get(offer, D0)
        tariff_basis = cost_basis + carried_in
        tariff = {int(r["level"]): dec(r["annual_tariff"]) for r in ot}
        h, supp = _haap_by_level(occ_of, offer)
        if not h:
            warnings.append(f"offer {offer}: no HÅP in {year}, so no income; the whole tariff basis is a deficit")
        inc = place_income(h, supp, tariff, dec(ot[0]["price_per_weekly_hour"]), what=f"offer {offer}, {year}", file=f_haap)
        result = inc.income - tariff_basis
        residue = rules.rounding_residue == "kept" and result != 0 and abs(result) < rules.tariffs.rounding * max(inc.haap, Decimal(1))
        s = Split(D0, D0, result) if residue else split(result, cost_basis, tariff_basis, rules)
        rows.append(
            {
                "offer_id": offer,
                "year": year,
                "basis": basis,
                "cost_basis": cost_basis,
                "carried_in": carried_in,
                "tariff_basis": tariff_basis,
                "haap_own": float(inc.haap_own),
                "haap_other": float(inc.haap_other),
                "income_places": inc.places,
                "income_places_other": inc.places_other,
                "income_supplements": inc.supplements,
                "income": inc.income,
                "result": result,
                "carried": s.carried,
                "carry_into_year": year + rules.year_offset if s.carried else None,
                "set_aside": s.set_aside,
                "set_aside_use_by": year + rules.set_aside_years if s.set_aside else None,
                "set_aside_used": D0,
                "set_aside_expired": False,
                "kept": s.kept,
                "rounding_residue": residue,
                "rules": rules.name,
                "rules_version": rules.version,
            }
        )
    from tariffkit.contracts import RESULTS

    new = pl.DataFrame(rows, schema=RESULTS.schema, orient="row")
    results = _merge(history, new, year, replace, f_results)
    recomputed = settlement = None
    if structure is not None:
        from tariffkit.tariffs import build

        expected = occupancy.filter(pl.col("offer_id").is_in(new["offer_id"].implode()))
        recomputed, _ = build(structure, costs, expected, year, basis=basis, file_costs=f_costs, file_haap=f_haap, results=history, file_results=f_results)
        if placements is not None:
            settlement = settle(placements, t, recomputed, year)
    return CloseResult(results, recomputed, settlement, warnings)


def _merge(history: pl.DataFrame | None, new: pl.DataFrame, year: int, replace: bool, file: str) -> pl.DataFrame:
    """The history with ``year``'s rows: a year closed again with the same figures changes
    nothing; with other figures it is refused unless ``replace``. Set-asides of earlier years
    whose use-by year has passed (before ``year``) with money left are flagged expired."""
    from tariffkit.contracts import RESULTS

    if history is None or history.height == 0:
        merged = new
    else:
        old = history.filter(pl.col("year") == year)
        if old.height and not replace:
            figures = [c for c in RESULTS.names if c not in ("set_aside_used", "set_aside_expired")]
            a = old.select(figures).sort("offer_id")
            b = new.select(figures).sort("offer_id")
            if not a.equals(b):
                diff = a.join(b, on="offer_id", how="full", suffix="_new", coalesce=True)
                changed = next(  # the first offer whose figures differ (else one only in the new or the old)
                    (r["offer_id"] for r in diff.iter_rows(named=True) if any(r.get(k) != r.get(f"{k}_new") for k in figures if k != "offer_id")),
                    a["offer_id"][0],
                )
                raise DataError(
                    f"{year} is already closed in the results table with other figures (offer {changed}); close it again with `replace` to use these inputs",
                    file=file,
                    column="year",
                )
            new = (
                new.join(old.select("offer_id", "set_aside_used"), on="offer_id", how="left", suffix="_old")
                .with_columns(set_aside_used=pl.coalesce("set_aside_used_old", "set_aside_used"))
                .drop("set_aside_used_old")
            )
        merged = pl.concat([history.filter(pl.col("year") != year).select(RESULTS.names), new.select(RESULTS.names)])
    left = pl.col("set_aside") - pl.col("set_aside_used")
    merged = merged.with_columns(set_aside_expired=(pl.col("set_aside_use_by") < year) & (left > 0)) if merged.height else merged
    return merged.sort("year", "offer_id")


def settle(placements: pl.DataFrame, tariffs: pl.DataFrame, recomputed: pl.DataFrame, year: int) -> pl.DataFrame:
    """Per paying municipality, offer and level: days, what was billed at the year's tariffs,
    what the recomputed tariffs give, and the difference to settle (positive: the paying
    municipality owes more). Both sides by the billing rule, month by month."""
    from tariffkit.placements import billing

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    claim = dt.date(year, 12, 31)
    keys = ["paying_municipality", "offer_id", "level"]
    billed = billing(placements, tariffs, first, last, claim).group_by(keys).agg(pl.col("days").sum(), billed=pl.col("amount").sum())
    again = billing(placements, recomputed, first, last, claim).group_by(keys).agg(recomputed=pl.col("amount").sum())
    out = (
        billed.join(again, on=keys, how="full", coalesce=True, nulls_equal=True)
        .with_columns(
            pl.col("days").fill_null(0),
            pl.col("billed").fill_null(0).cast(MONEY),
            pl.col("recomputed").fill_null(0).cast(MONEY),
            pl.lit(year, pl.Int32).alias("year"),
        )
        .with_columns(difference=(pl.col("recomputed") - pl.col("billed")).cast(MONEY))
    )
    return out.select("paying_municipality", "year", "offer_id", "level", "days", "billed", "recomputed", "difference").sort(keys)
