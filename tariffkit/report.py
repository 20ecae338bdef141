"""The monthly economy check (*månedlig økonomiopfølgning*) as figures, ready to render.

:func:`monthly_report` computes, from the ``payments`` table and optional budgets, everything
the HTML report shows; it does no I/O and draws nothing (see ``report_html`` and ``charts``).

Definitions (documented in docs/concepts.md):

- Key figures per area (``--by``, default ``paragraph``) for the year at the as-of date, as
  ``compute-haap --as-of``: HÅP and expense to date, and the forecast (actuals to date plus open
  commitments to year end). Average price = forecast expense / forecast HÅP.
- Budget per area: the ``authority_budget`` table (``budget-forecast authority``: its
  ``budget``, ``budget_haap``, ``budget_average_price``) or the ``haap_budget`` table
  (``haap``, ``average_price``; budget = their product, to the øre).
- Deviation = forecast − budget; volume effect = (forecast HÅP − budget HÅP) × budget price,
  to the øre; price effect = deviation − volume effect, so the two add up exactly.
- Change since last month: against last month's key figures (``--previous``, the table this
  report saved last month with ``--save-figures``). A forecast made from this month's extract at
  last month's date is not last month's forecast (last month's commitments are not in it), so
  the report does not pretend it is.
- Largest cost changes: per case (citizen pseudonym, case, offer), the cost of the as-of month
  against the month before (actuals and commitments spread by days), annualised × 12.
- Offers heading for a deficit: the offer budget's (``budget-forecast offer``) forecast expected
  result for the year, when it is a deficit of at least ``min_deficit`` kroner (1,000).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from tariffkit.danish import MONEY
from tariffkit.haap import HaapOptions, compute, month_add, spread_months
from tariffkit.history import Snapshot, lines_in_force
from tariffkit.money import exact, kroner, ore_of, ore_ratio


@dataclass
class MonthlyReport:
    year: int
    as_of: dt.date
    area: str
    key_figures: pl.DataFrame  # one row per area plus the total (area = "I alt")
    monthly: pl.DataFrame  # area × month: haap, expense, average_price_annual, inflow, outflow, actual
    deficits: pl.DataFrame | None  # offers with a forecast deficit
    cost_changes: pl.DataFrame  # the cases with the largest cost change
    data_period: tuple[dt.date | None, dt.date | None]
    has_budget: bool
    has_previous: bool
    snapshot: Snapshot | None = None  # the extract the figures rest on
    previous_year: int | None = None  # last month's figures were for this other year (not compared)
    commitments_until: dt.date | None = None  # the last day the commitments in force pay for
    offer_names: dict | None = None  # offer_id → name (from the payments), shown beside the id


def budget_frame(budget: pl.DataFrame, area: str) -> pl.DataFrame:
    """area, budget_haap, budget_price (kroner), budget_ore (Int64) from an authority_budget or
    haap_budget table; the budget is HÅP × price exactly, rounded once to the øre."""
    if "budget" in budget.columns and "budget_haap" in budget.columns:
        b = budget.select(
            pl.col(area).cast(pl.String),
            "budget_haap",
            pl.col("budget_average_price").cast(MONEY).alias("budget_price"),
            ore_of(pl.col("budget")).alias("budget_ore"),
        )
    else:
        b = budget.select(pl.col(area).cast(pl.String), pl.col("haap").alias("budget_haap"), pl.col("average_price").cast(MONEY).alias("budget_price"))
        b = b.with_columns(budget_ore=ore_of(exact("budget_haap") * exact("budget_price")))
    return b


def _forecast(payments: pl.LazyFrame, area: str, year: int, as_of: dt.date) -> pl.DataFrame:
    opts = HaapOptions(by=(area,), start=dt.date(year, 1, 1), end=dt.date(year, 12, 1), as_of=as_of, period_label=str(year))
    return compute(payments, opts).with_columns(pl.col(area).cast(pl.String))


def key_figures(
    payments: pl.LazyFrame, area: str, year: int, as_of: dt.date, budget: pl.DataFrame | None, previous: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The ``key_figures`` table: one row per area and a total row (area ``I alt``); money as
    Decimal, the volume and price effects add up to the deviation exactly. ``previous`` is last
    month's key_figures table (the change since last month); without it the change is null."""
    now = _forecast(payments, area, year, as_of)
    k = now.select(
        area,
        "citizens",
        "haap_ytd",
        "haap_forecast",
        (pl.col("expense_ytd") * 100).cast(pl.Int64).alias("_ytd_ore"),
        (pl.col("expense_forecast") * 100).cast(pl.Int64).alias("_fc_ore"),
    )
    if budget is not None:
        k = k.join(budget_frame(budget, area), on=area, how="full", coalesce=True)
    else:
        k = k.with_columns(budget_haap=pl.lit(None, pl.Float64), budget_price=pl.lit(None, MONEY), budget_ore=pl.lit(None, pl.Int64))
    k = (
        k.with_columns(
            pl.col("citizens").fill_null(0),
            pl.col("haap_ytd").fill_null(0.0),
            pl.col("haap_forecast").fill_null(0.0),
            pl.col("_ytd_ore").fill_null(0),
            pl.col("_fc_ore").fill_null(0),
        )
        .with_columns(
            _vol=ore_of((exact("haap_forecast") - exact("budget_haap")) * exact("budget_price")),
        )
        .sort(area)
    )
    with_budget = budget is not None
    total = k.select(
        pl.lit("I alt").alias(area),
        pl.col("citizens").sum(),
        pl.col("haap_ytd").sum(),
        pl.col("haap_forecast").sum(),
        pl.col("_ytd_ore").sum(),
        pl.col("_fc_ore").sum(),
        pl.col("budget_haap").sum() if with_budget else pl.lit(None, pl.Float64).alias("budget_haap"),
        pl.lit(None, MONEY).alias("budget_price"),
        pl.col("budget_ore").sum() if with_budget else pl.lit(None, pl.Int64).alias("budget_ore"),
        pl.col("_vol").sum() if with_budget else pl.lit(None, pl.Int64).alias("_vol"),
    )
    # a citizen in two areas counts once in the total row's citizens (HÅP and money add up)
    everyone = compute(payments, HaapOptions(start=dt.date(year, 1, 1), end=dt.date(year, 12, 1), as_of=as_of, period_label=str(year)))
    total = total.with_columns(citizens=pl.lit(int(everyone["citizens"].sum()), dtype=pl.Int64))
    k = pl.concat([k, total.cast(k.schema)])
    horizon = history_horizon(payments)
    out = k.select(
        pl.lit(year, pl.Int32).alias("year"),
        pl.lit(as_of).alias("as_of"),
        pl.lit(horizon, pl.Date).alias("extract_date"),
        pl.col(area).alias("area"),
        "citizens",
        "haap_ytd",
        "haap_forecast",
        pl.when(pl.col("haap_forecast") > 0).then(kroner(ore_ratio("_fc_ore", exact("haap_forecast")))).alias("average_price"),
        kroner(pl.col("_ytd_ore")).alias("expense_ytd"),
        kroner(pl.col("_fc_ore")).alias("forecast"),
        "budget_haap",
        kroner(pl.col("budget_ore")).alias("budget"),
        kroner(pl.col("_fc_ore") - pl.col("budget_ore")).alias("deviation"),
        kroner(pl.col("_vol")).alias("volume_effect"),
        kroner(pl.col("_fc_ore") - pl.col("budget_ore") - pl.col("_vol")).alias("price_effect"),
    )
    if previous is not None:
        p = previous.select("area", pl.col("haap_forecast").alias("_ph"), pl.col("forecast").cast(MONEY).alias("_pf"))
        out = (
            out.join(p, on="area", how="left", maintain_order="left")
            .with_columns(
                haap_change=(pl.col("haap_forecast") - pl.col("_ph")).round(10),  # HÅP has ten decimals: no float noise
                forecast_change=(pl.col("forecast") - pl.col("_pf")).cast(MONEY),
            )
            .drop("_ph", "_pf")
        )
    else:
        out = out.with_columns(haap_change=pl.lit(None, pl.Float64), forecast_change=pl.lit(None, MONEY))
    return out


def history_horizon(payments: pl.LazyFrame | pl.DataFrame) -> dt.date | None:
    """The newest extract date among the lines (the horizon of the lines in force)."""
    return payments.lazy().select(pl.col("extract_date").max()).collect().item()


def monthly_series(payments: pl.LazyFrame, area: str, year: int, as_of: dt.date) -> pl.DataFrame:
    """Per area and month of the year: ``haap`` = the month's level of full-year persons (its
    active citizens, a citizen who moved during the month shared by days: compute-haap's monthly
    HÅP × 12), expense, average price at an annual rate (expense × days in the year / days in the
    month / that level, so that February's 28 days do not look like a price fall), inflow,
    outflow; ``actual`` = the month is on or before the as-of month (later months are open
    commitments)."""
    opts = HaapOptions(by=(area,), start=dt.date(year, 1, 1), end=dt.date(year, 12, 1), monthly=True, as_of=as_of)
    month_days = exact(pl.col("period").str.to_date("%Y-%m").dt.month_end().dt.day())
    year_days = exact(pl.lit((dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days))
    m = compute(payments, opts).with_columns(haap=(pl.col("haap") * 12).round(8))  # 12 × a 10-decimal HÅP: exact to 8
    return (
        m.select(
            pl.col(area).cast(pl.String).alias("area"),
            pl.col("period").str.to_date("%Y-%m").alias("month"),
            "haap",
            "expense",
            pl.when(pl.col("haap") > 0).then(kroner(ore_of(exact("expense") * year_days / month_days / exact("haap")))).alias("average_price_annual"),
            "inflow",
            "outflow",
        )
        .with_columns(actual=pl.col("month") <= as_of.replace(day=1))
        .sort("area", "month")
    )


def cost_changes(payments: pl.LazyFrame, as_of: dt.date, top: int) -> pl.DataFrame:
    """The ``top`` cases with the largest annualised change between the as-of month and the
    month before (ties broken by pseudonym, case and offer, so the list is deterministic)."""
    this = as_of.replace(day=1)
    before = month_add(this, -1)
    cols = ["citizen_id", "case_id", "offer_id", "caseworker"]
    lf = payments.lazy().filter(
        (pl.col("kind") != "refund") & (pl.col("service_to") >= before) & (pl.col("service_from") <= month_add(this, 1) - dt.timedelta(days=1))
    )
    s = spread_months(lf, cols).filter(pl.col("month").is_in([before, this]))
    keys = ["citizen_id", "case_id", "offer_id"]
    g = (
        s.group_by(keys)
        .agg(
            pl.col("caseworker").sort().last(),
            pl.col("ore").filter(pl.col("month") == before).sum().alias("_before"),
            pl.col("ore").filter(pl.col("month") == this).sum().alias("_this"),
        )
        .with_columns(_chg=(pl.col("_this") - pl.col("_before")) * 12)
        .filter(pl.col("_chg") != 0)
    )
    largest = g.with_columns(_abs=pl.col("_chg").abs()).sort(["_abs", *keys], descending=[True, False, False, False]).head(top).collect()
    return largest.select(
        *keys,
        "caseworker",
        kroner(pl.col("_before")).alias("cost_before"),
        kroner(pl.col("_this")).alias("cost_this"),
        kroner(pl.col("_chg")).alias("annual_change"),
    )


def deficit_offers(offer_budget: pl.DataFrame, year: int, min_deficit: float = 1000.0) -> pl.DataFrame:
    """Offers whose forecast expected result for ``year`` is a deficit of at least
    ``min_deficit`` kroner (a few kroner are the tariffs' rounding, not a deficit), worst first."""
    b = offer_budget.filter((pl.col("year") == year) & (pl.col("basis") == "forecast"))
    wide = b.filter(pl.col("line").is_in(["expected_result", "tariff_basis", "income", "haap_total", "occupancy_pct"])).pivot(
        on="line", index="offer_id", values="value", maintain_order=True
    )
    for c in ("expected_result", "tariff_basis", "income", "haap_total", "occupancy_pct"):
        if c not in wide.columns:
            wide = wide.with_columns(pl.lit(None, MONEY).alias(c))
    return (
        wide.filter(pl.col("expected_result") <= -min_deficit)
        .sort(["expected_result", "offer_id"])
        .select("offer_id", "haap_total", "occupancy_pct", "tariff_basis", "income", "expected_result")
    )


def monthly_report(
    payments: pl.LazyFrame | pl.DataFrame,
    *,
    year: int,
    as_of: dt.date,
    area: str = "paragraph",
    budget: pl.DataFrame | None = None,
    offer_budget: pl.DataFrame | None = None,
    previous: pl.DataFrame | None = None,
    top: int = 10,
    min_deficit: float = 1000.0,
    known_at: dt.date | None = None,
) -> MonthlyReport:
    """Everything the monthly report shows, from the payments history as it stands (or stood on
    ``known_at``). ``as_of`` may not be after the newest extract date."""
    from tariffkit.errors import UsageError

    lf, snap = lines_in_force(payments, known_at)
    if snap.horizon is None:
        raise UsageError("the payments history holds no extract" + (f" dated on or before {known_at}" if known_at else ""))
    if as_of > snap.horizon:
        raise UsageError(f"`as_of` {as_of} is after the newest extract date {snap.horizon}: a forecast needs data up to its as-of date")
    previous_year = None
    if previous is not None and previous.height and int(previous["year"][0]) != year:
        # last month's figures are for another year (a January run): no change since last month
        previous_year, previous = int(previous["year"][0]), None
    lf = lf.cache()
    bounds = lf.select(pl.col("service_from").min(), pl.col("service_to").max()).collect().row(0)
    until = lf.filter(pl.col("kind") == "commitment").select(pl.col("service_to").max()).collect().item()
    # the name an offer has on its newest line
    names = dict(lf.sort("service_to", "offer_name").group_by("offer_id").agg(pl.col("offer_name").last()).collect().iter_rows())
    return MonthlyReport(
        year=year,
        as_of=as_of,
        area=area,
        key_figures=key_figures(lf, area, year, as_of, budget, previous),
        monthly=monthly_series(lf, area, year, as_of),
        deficits=deficit_offers(offer_budget, year, min_deficit) if offer_budget is not None else None,
        cost_changes=cost_changes(lf, as_of, top),
        data_period=bounds,
        has_budget=budget is not None,
        has_previous=previous is not None,
        snapshot=snap,
        previous_year=previous_year,
        commitments_until=until,
        offer_names=names,
    )
