"""HÅP (*helårspersoner*, full-year persons), expense, average price, inflow and outflow.

Definitions, exactly as implemented (docs/concepts.md repeats them):

* **Spreading.** Each payment line pays for the days ``service_from``–``service_to``. Its amount
  is spread over the calendar months those days fall in, pro rata by days, in integer øre: each
  month but the last gets ``trunc(amount × days_in_month / days_total)`` (truncated toward
  zero, so a correction spreads as the exact negative of the line it corrects), and the last
  month gets the rest. The monthly parts add up to the line amount to the øre.
* **Active** (``method="months"``, BDO's definition): a citizen is active in a month in a group
  when the net of their spread amounts for that month in that group is positive (spending or
  commitment). Two lines in one month count once; a line cancelled by a correction counts not.
* **HÅP** (months) for a period = Σ active citizen-months / 12. In monthly rows ``haap`` is the
  number of active citizens in the month (so the monthly values / 12 add up to the year).
* **HÅP** (``method="days"``) = Σ days covered by the union of the citizen's positive lines in
  the group, within months where the citizen is active, / days in the year (in monthly rows:
  / days in the month).
* **Expense** = Σ spread amounts in the period (corrections included). **Average price** =
  expense / HÅP, rounded to the øre; null when HÅP is 0.
* **Inflow** in a month: active now, not active the month before (in the same group);
  **outflow**: active the month before, not now. For a longer period: the sum over its months.
  A level change moves a citizen between ``level`` groups: outflow from one, inflow to the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from tariffkit.danish import MONEY

MONTH = "month"


@dataclass(frozen=True)
class HaapOptions:
    by: tuple[str, ...] = ()
    start: dt.date | None = None  # first month (day 1); None = from the data
    end: dt.date | None = None  # last month (day 1); None = from the data
    monthly: bool = False
    method: str = "months"  # months | days
    as_of: dt.date | None = None
    period_label: str | None = None  # e.g. "2026"; None = one period per calendar year


def month_add(d: dt.date, n: int) -> dt.date:
    m = d.year * 12 + d.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)


def spread_months(payments: pl.LazyFrame, cols: list[str]) -> pl.LazyFrame:
    """Payment lines → one row per line and month with the line's øre for that month.

    Keeps ``cols`` plus ``kind``, ``month``, ``days`` (days of the line in the month),
    ``ore`` and, for the days method, ``from``/``to`` clipped to the month."""
    total_days = (pl.col("service_to") - pl.col("service_from")).dt.total_days() + 1
    ore = (pl.col("amount") * 100).cast(pl.Int64)
    # Most lines pay for one month (97 % in a typical extract): they need no spreading.
    single = pl.col("service_from").dt.month_start() == pl.col("service_to").dt.month_start()
    one = payments.filter(single).select(
        *cols, "kind", month=pl.col("service_from").dt.month_start(), days=total_days, ore=ore,
        _f=pl.col("service_from"), _t=pl.col("service_to"),
    )
    lf = payments.filter(~single).select(
        *cols, "kind", "service_from", "service_to",
        _ore=ore,
        _total=total_days,
        _line=pl.int_range(pl.len(), dtype=pl.Int64),
    ).with_columns(
        month=pl.date_ranges(pl.col("service_from").dt.month_start(), pl.col("service_to").dt.month_start(), "1mo")
    ).explode("month")
    lf = lf.with_columns(
        _f=pl.max_horizontal("month", "service_from"),
        _t=pl.min_horizontal(pl.col("month").dt.month_end(), "service_to"),
    ).with_columns(days=(pl.col("_t") - pl.col("_f")).dt.total_days() + 1)
    share = (pl.col("_ore").abs() * pl.col("days") // pl.col("_total")) * pl.col("_ore").sign()
    is_last = pl.col("month") == pl.col("service_to").dt.month_start()
    lf = lf.with_columns(_share=share).with_columns(
        ore=pl.when(is_last).then(pl.col("_ore") - (pl.col("_share").sum().over("_line") - pl.col("_share"))).otherwise(pl.col("_share"))
    ).select(*cols, "kind", "month", "days", "ore", "_f", "_t")
    lf = pl.concat([one, lf])
    return lf.select(*cols, "kind", "month", "days", "ore", pl.col("_f").alias("from"), pl.col("_t").alias("to"))


def _period_expr(opts: HaapOptions) -> pl.Expr:
    if opts.monthly:
        return pl.col(MONTH).dt.strftime("%Y-%m")
    if opts.period_label:
        return pl.lit(opts.period_label)
    return pl.col(MONTH).dt.year().cast(pl.String)


def _active(spread: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Net øre per group, citizen and month; active when positive."""
    return spread.group_by(*keys, "citizen_id", MONTH).agg(pl.col("ore").sum().alias("net")).with_columns(active=pl.col("net") > 0)


def _union_days(spread: pl.LazyFrame, keys: list[str], active: pl.LazyFrame) -> pl.LazyFrame:
    """Days covered by the union of positive lines per group, citizen and active month."""
    pos = spread.filter(pl.col("ore") > 0).select(*keys, "citizen_id", MONTH, "from", "to")
    pos = pos.join(active.filter("active").select(*keys, "citizen_id", MONTH), on=[*keys, "citizen_id", MONTH], nulls_equal=True)
    g = [*keys, "citizen_id", MONTH]
    merged = (
        pos.sort(*g, "from")
        .with_columns(_prev_end=pl.col("to").cum_max().shift(1).over(g))
        .with_columns(_new=(pl.col("_prev_end").is_null() | (pl.col("from") > pl.col("_prev_end") + pl.duration(days=1))).cast(pl.Int32))
        .with_columns(_block=pl.col("_new").cum_sum().over(g))
        .group_by(*g, "_block")
        .agg(pl.col("from").min(), pl.col("to").max())
        .with_columns(days=(pl.col("to") - pl.col("from")).dt.total_days() + 1)
    )
    return merged.group_by(*g).agg(pl.col("days").sum())


def compute(payments: pl.LazyFrame | pl.DataFrame, opts: HaapOptions) -> pl.DataFrame:
    """The ``haap`` table for ``payments`` (see module docstring for the definitions)."""
    lf = payments.lazy()
    keys = list(opts.by)
    start, end = opts.start, opts.end
    if start is None or end is None:
        bounds = lf.select(pl.col("service_from").min().alias("a"), pl.col("service_to").max().alias("b")).collect()
        if bounds.height == 0 or bounds["a"][0] is None:
            return _empty(keys, opts)
        start = start or bounds["a"][0].replace(day=1)
        end = end or bounds["b"][0].replace(day=1)
    prev = month_add(start, -1)
    last_day = month_add(end, 1) - dt.timedelta(days=1)
    # only lines that touch [prev, end] matter
    lf = lf.filter((pl.col("service_to") >= prev) & (pl.col("service_from") <= last_day))
    spread = spread_months(lf, keys + ["citizen_id"]).filter(pl.col(MONTH).is_between(prev, end))

    if opts.as_of is not None:
        cut = opts.as_of.replace(day=1)
        spread = spread.filter(
            ((pl.col("kind") == "actual") & (pl.col(MONTH) <= cut)) | ((pl.col("kind") == "commitment") & (pl.col(MONTH) > cut))
        ).with_columns(_ytd=pl.col(MONTH) <= cut)
    spread = spread.cache()
    active = _active(spread, keys).cache()

    # inflow / outflow per group and month (previous month included for the first month)
    g = [*keys, "citizen_id"]
    act_months = active.filter("active").select(*g, MONTH)
    prev_m = act_months.with_columns((pl.col(MONTH).dt.offset_by("1mo")).alias(MONTH), _was=pl.lit(True))
    now_m = act_months.with_columns(_is=pl.lit(True))
    flows = now_m.join(prev_m, on=[*g, MONTH], how="full", coalesce=True, nulls_equal=True).with_columns(
        inflow=(pl.col("_is").fill_null(False) & pl.col("_was").is_null()).cast(pl.Int64),
        outflow=(pl.col("_was").fill_null(False) & pl.col("_is").is_null()).cast(pl.Int64),
    ).filter(pl.col(MONTH).is_between(start, end))

    in_period = pl.col(MONTH).is_between(start, end)
    period = _period_expr(opts)
    # HÅP is summed as whole numbers over a common divisor (_u / _div), so the sum does not
    # depend on row order or threads: float sums in a parallel group-by are not reproducible.
    if opts.method == "days":
        days = _union_days(spread, keys, active)
        unit = active.join(days, on=[*g, MONTH], how="left", nulls_equal=True).with_columns(pl.col("days").fill_null(0))
        if opts.monthly:  # one month per period: divide by its days
            unit = unit.with_columns(_u=pl.when("active").then(pl.col("days")).otherwise(0), _div=pl.col(MONTH).dt.month_end().dt.day().cast(pl.Int64))
        else:  # 133,590 = 365 × 366: a day is 366 or 365 units
            per_day = pl.when(pl.col(MONTH).dt.is_leap_year()).then(365).otherwise(366)
            unit = unit.with_columns(_u=pl.when("active").then(pl.col("days") * per_day).otherwise(0), _div=pl.lit(133_590, pl.Int64))
    else:
        unit = active.with_columns(_u=pl.col("active").cast(pl.Int64), _div=pl.lit(1 if opts.monthly else 12, pl.Int64))
    unit = unit.filter(in_period).with_columns(_period=period)
    exp = spread.filter(in_period).with_columns(_period=period).group_by(*keys, "_period").agg(pl.col("ore").sum().alias("_ore"))
    per = unit.group_by(*keys, "_period").agg(
        pl.col("citizen_id").filter("active").n_unique().alias("citizens"),
        (pl.col("_u").sum() / pl.col("_div").max()).alias("haap"),
    )
    fl = flows.with_columns(_period=period).group_by(*keys, "_period").agg(pl.col("inflow").sum(), pl.col("outflow").sum())
    out = (
        per.join(exp, on=[*keys, "_period"], how="full", coalesce=True, nulls_equal=True)
        .join(fl, on=[*keys, "_period"], how="left", nulls_equal=True)
    )
    if opts.as_of is not None:
        ytd_unit = unit.filter(pl.col(MONTH) <= opts.as_of.replace(day=1))
        ytd = ytd_unit.group_by(*keys, "_period").agg((pl.col("_u").sum() / pl.col("_div").max()).alias("haap_ytd"))
        ytd_exp = spread.filter(in_period & pl.col("_ytd")).with_columns(_period=period).group_by(*keys, "_period").agg(pl.col("ore").sum().alias("_ore_ytd"))
        out = out.join(ytd, on=[*keys, "_period"], how="left", nulls_equal=True).join(ytd_exp, on=[*keys, "_period"], how="left", nulls_equal=True)
    out = out.with_columns(
        pl.col("citizens").fill_null(0).cast(pl.Int64),
        pl.col("haap").fill_null(0.0),
        pl.col("_ore").fill_null(0),
        pl.col("inflow").fill_null(0).cast(pl.Int64),
        pl.col("outflow").fill_null(0).cast(pl.Int64),
    ).with_columns(
        expense=_money(pl.col("_ore")),
        average_price=pl.when(pl.col("haap") > 0).then(_money((pl.col("_ore") / pl.col("haap")).round(0, mode="half_away_from_zero").cast(pl.Int64))),
        haap=pl.col("haap").round(10),
    )
    cols = [*keys, pl.col("_period").alias("period"), "citizens", "haap", "expense", "average_price", "inflow", "outflow"]
    if opts.as_of is not None:
        out = out.with_columns(
            haap_ytd=pl.col("haap_ytd").fill_null(0.0).round(10),
            expense_ytd=_money(pl.col("_ore_ytd").fill_null(0)),
            haap_forecast=pl.col("haap"),
            expense_forecast=pl.col("expense"),
        )
        cols += ["haap_ytd", "expense_ytd", "haap_forecast", "expense_forecast"]
    return out.select(cols).sort([*keys, "period"], nulls_last=True).collect()


def _money(ore: pl.Expr) -> pl.Expr:
    """Integer øre → Decimal(18,2) kroner, exactly."""
    return (ore.cast(pl.Decimal(38, 2)) / 100).cast(MONEY)


def _empty(keys, opts) -> pl.DataFrame:
    return pl.DataFrame(schema={**{k: pl.String for k in keys}, "period": pl.String, "citizens": pl.Int64, "haap": pl.Float64, "expense": MONEY, "average_price": MONEY, "inflow": pl.Int64, "outflow": pl.Int64})


def budget_deviation(haap: pl.DataFrame, budget: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Add the budget comparison: ``budget_expense`` = budget HÅP × budget price, ``deviation``
    = expense (the forecast when there is one) − budget_expense, split into
    ``volume_effect`` = (HÅP − budget HÅP) × budget price and ``price_effect`` = deviation −
    volume_effect (= (price − budget price) × HÅP up to the øre rounding of the average price),
    so the two add up to the deviation exactly."""
    b = budget.select(*by, pl.col("haap").alias("budget_haap"), pl.col("average_price").cast(pl.Float64).alias("_bp"))
    out = haap.join(b, on=by, how="left", nulls_equal=True) if by else haap.join(b, how="cross")
    exp_col = "expense_forecast" if "expense_forecast" in out.columns else "expense"
    haap_col = "haap_forecast" if "haap_forecast" in out.columns else "haap"
    ore = lambda e: (e * 100).round(0, mode="half_away_from_zero").cast(pl.Int64)  # noqa: E731
    out = out.with_columns(
        _be=ore(pl.col("budget_haap") * pl.col("_bp")),
        _e=(pl.col(exp_col) * 100).cast(pl.Int64),
        _vol=ore((pl.col(haap_col) - pl.col("budget_haap")) * pl.col("_bp")),
    ).with_columns(
        budget_price=_money(ore(pl.col("_bp"))),
        budget_expense=_money(pl.col("_be")),
        deviation=_money(pl.col("_e") - pl.col("_be")),
        volume_effect=_money(pl.col("_vol")),
        price_effect=_money(pl.col("_e") - pl.col("_be") - pl.col("_vol")),
    )
    return out.drop("_bp", "_be", "_e", "_vol")
