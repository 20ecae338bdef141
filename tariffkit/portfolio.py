"""Caseworker portfolios for the quarterly extended economy check (*udvidet økonomiopfølgning*).

Per case (caseworker, citizen, case, offer), from the payments spread over months exactly as
``compute-haap`` spreads them (integer øre, residue in the last month):

    quarter cost     = Σ spread øre in the quarter's three months
    monthly_cost     = quarter cost / 3 (to the øre)
    annualised_cost  = quarter cost × 4
    change           = (quarter cost − comparison quarter cost) × 4   (kroner a year)
    change_pct       = change / comparison annualised cost × 100 (null when that is 0)
    haap             = months in the quarter where the case's net is positive / 12

Flags are documented in :data:`FLAGS`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from tariffkit import history
from tariffkit import labels as LABELS
from tariffkit.errors import DataError, UsageError
from tariffkit.haap import month_add, spread_months
from tariffkit.money import kroner, ore_ratio
from tariffkit.settings_checks import check_keys

KEYS = ["caseworker", "citizen_id", "case_id", "offer_id"]
RESIDENTIAL = ("SEL 107", "SEL 108", "ABL 105")

FLAGS = {
    "cost_up": "the cost per active month (the run rate, × 12 a year) up by more than the threshold (%) and the minimum amount (kr) against the comparison quarter; a month emptied by a correction does not make a quarter cheaper",
    "level_changed": "the function level changed in the quarter (or since the end of the comparison quarter)",
    "schedule_level_differs": "the payments' level differs from the level the 24-hour schedule gives (reassign): DSS and the døgnskema disagree",
    "commitment_ending": "the case's last payment or commitment ends within --ending-within days after the quarter",
    "new_case": "the case started in the quarter (inflow)",
    "closed_case": "the case ended in the quarter (outflow)",
    "follow_up_due": "a follow-up falls in the quarter: first after --follow-up months from the start, then every N months",
    "tier_up": "the annualised cost has moved into a higher approval tier than in the comparison quarter: the case needs approval at that tier (approval_level)",
    "no_schedule": "no 24-hour schedule on file for a citizen on an internal residential offer (with --schedules)",
}


def parse_quarter(text: str, option: str = "--quarter") -> tuple[dt.date, dt.date]:
    """``2025Q3`` / ``2025-Q3`` / ``2025K3`` → (first month, last month), each the 1st."""
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[QqKk]([1-4])\s*", text or "")
    if not m:
        raise UsageError(f"{option}: expected a quarter like 2025Q3, found {text!r}")
    y, q = int(m.group(1)), int(m.group(2))
    if not 1900 <= y <= 2200:
        raise UsageError(f"{option}: the year {y} is out of range (1900–2200)")
    first = dt.date(y, 3 * q - 2, 1)
    return first, month_add(first, 2)


def quarter_label(first: dt.date) -> str:
    return f"{first.year}Q{(first.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class ApprovalTiers:
    """Who may approve a case, by its annual cost (*bevillingskompetence*): tiers lowest first,
    each up to a limit (kroner a year, inclusive); the last tier has no limit. The default is
    Ikast-Brande's example from VIVE's slides (2019): caseworker up to 110,000 kr, the
    authority's manager up to 415,000 kr, the visitation committee up to 1 mio. kr, above that
    the political committee after the visitation committee."""

    tiers: tuple[tuple[str, float | None], ...] = (
        ("sagsbehandler", 110_000.0),
        ("leder af myndighed", 415_000.0),
        ("visitationsudvalg", 1_000_000.0),
        ("politisk udvalg (efter visitationsudvalget)", None),
    )
    name: str = "Ikast-Brande (eksempel fra VIVE, 2019)"
    source: str = "VIVE: Ressourcetildeling på det specialiserede voksenområde, oplæg 2019"


def parse_tiers(d: dict, file: str = "approval tiers") -> ApprovalTiers:
    """The tiers TOML: ``name``, ``source`` and ``[[tiers]]`` with ``name`` and ``up_to`` (kroner
    a year; left out on the last tier). Limits must increase; NaN, negative or non-number limits
    are refused."""
    import math

    known = {"name", "source", "tiers"}
    check_keys(d, known, file)
    raw = d.get("tiers")
    if not isinstance(raw, list) or len(raw) < 2:
        raise DataError("expected at least two [[tiers]], each with a name and (all but the last) up_to in kroner a year", file=file, column="tiers")
    out: list[tuple[str, float | None]] = []
    for i, t in enumerate(raw, start=1):
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) or not t["name"].strip() or set(t) - {"name", "up_to"}:
            raise DataError(f"[[tiers]] number {i} must have a name (and up_to)", file=file, column="tiers")
        last = i == len(raw)
        v = t.get("up_to")
        if last:
            if v is not None:
                raise DataError(f"[[tiers]] number {i} is the last tier: it has no up_to (it takes everything above)", file=file, column="up_to")
            out.append((t["name"].strip(), None))
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)) or v < 0:
            raise DataError(f"[[tiers]] number {i}: up_to must be a number of kroner of at least 0, found {v!r}", file=file, column="up_to")
        if out and out[-1][1] is not None and v <= out[-1][1]:
            raise DataError(f"[[tiers]] number {i}: up_to must be above the tier before ({out[-1][1]:g})", file=file, column="up_to")
        out.append((t["name"].strip(), float(v)))
    return ApprovalTiers(tuple(out), str(d.get("name", "")), str(d.get("source", "")))


@dataclass(frozen=True)
class PortfolioOptions:
    quarter: tuple[dt.date, dt.date]
    compare: tuple[dt.date, dt.date]
    threshold_pct: float = 10.0
    min_change: float = 50_000.0
    ending_within_days: int = 90
    follow_up_first_months: int = 3
    follow_up_every_months: int = 12
    tiers: ApprovalTiers = ApprovalTiers()
    caseworker: str | None = None


def portfolio(payments: pl.DataFrame, opts: PortfolioOptions, schedules: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cases, per-caseworker summary) for the quarter."""
    from tariffkit.contracts import PORTFOLIO, PORTFOLIO_SUMMARY

    q0, q1 = opts.quarter
    c0, c1 = opts.compare
    q_end = month_add(q1, 1) - dt.timedelta(days=1)
    p = history.lines_in_force(payments)[0].filter(pl.col("kind") != "refund")  # state refunds are not the case's cost
    if opts.caseworker:
        p = p.filter(pl.col("caseworker") == opts.caseworker)
    lo, hi = min(q0, c0), max(q1, c1)
    # the lines of the quarters compared, and each case's first and last day over the whole
    # history; read in one pass, only the columns they use
    window, hist, lines = pl.collect_all(
        [
            p.filter((pl.col("service_to") >= lo) & (pl.col("service_from") <= month_add(hi, 1) - dt.timedelta(days=1))),
            p.filter(pl.col("amount") > 0).group_by(KEYS).agg(first_from=pl.col("service_from").min(), last_to=pl.col("service_to").max()),
            p.select(pl.len()),
        ]
    )
    if opts.caseworker and lines.item() == 0:
        raise DataError(f"no cases for caseworker {opts.caseworker!r}", file="payments", column="caseworker")
    spread = spread_months(window.lazy().with_columns(_start=pl.col("service_from")), KEYS + ["level", "provider", "paragraph", "_start"]).collect()
    in_q = pl.col("month").is_between(q0, q1)
    in_c = pl.col("month").is_between(c0, c1)
    monthly = spread.group_by(KEYS + ["month"]).agg(net=pl.col("ore").sum())
    costs = monthly.group_by(KEYS).agg(
        q_ore=pl.col("net").filter(in_q).sum(),
        c_ore=pl.col("net").filter(in_c).sum(),
        active_months=(pl.col("net").filter(in_q) > 0).sum(),
        active_months_c=(pl.col("net").filter(in_c) > 0).sum(),
        q_active_ore=pl.col("net").filter(in_q & (pl.col("net") > 0)).sum(),
        c_active_ore=pl.col("net").filter(in_c & (pl.col("net") > 0)).sum(),
    )
    pos = spread.filter(pl.col("ore") > 0)
    last_in_q = (
        pos.filter(in_q)
        .sort("month", "_start")
        .group_by(KEYS)
        .agg(
            level=pl.col("level").last(),
            provider=pl.col("provider").last(),
            paragraph=pl.col("paragraph").last(),
            levels_in_q=pl.col("level").drop_nulls().n_unique(),
        )
    )
    last_c_month = pos.filter(pl.col("month") == c1).sort("_start").group_by(KEYS).agg(level_before=pl.col("level").last())
    any_info = (
        spread.sort("month", "_start")
        .group_by(KEYS)
        .agg(_provider=pl.col("provider").last(), _paragraph=pl.col("paragraph").last(), _level=pl.col("level").last())
    )
    df = costs.join(any_info, on=KEYS, how="left").join(last_in_q, on=KEYS, how="left").join(last_c_month, on=KEYS, how="left").join(hist, on=KEYS, how="left")
    df = df.filter((pl.col("q_ore") != 0) | (pl.col("c_ore") != 0) | (pl.col("active_months") > 0))
    df = df.with_columns(
        provider=pl.coalesce("provider", "_provider"),
        paragraph=pl.coalesce("paragraph", "_paragraph"),
        level=pl.coalesce("level", "_level").cast(pl.Int16),
    )
    df = df.with_columns(
        monthly_cost=kroner(ore_ratio("q_ore", pl.lit(3))),
        monthly_cost_compare=kroner(ore_ratio("c_ore", pl.lit(3))),
        annualised_cost=kroner(pl.col("q_ore") * 4),
        change=kroner((pl.col("q_ore") - pl.col("c_ore")) * 4),
        change_pct=pl.when(pl.col("c_ore") != 0).then(((pl.col("q_ore") - pl.col("c_ore")) / pl.col("c_ore").abs() * 100).round(1)),
        haap=(pl.col("active_months") / 12).cast(pl.Float64),
    )
    # follow-ups: start + first, then every N months; due when one falls in the quarter
    fm, every = opts.follow_up_first_months, opts.follow_up_every_months
    start_m = pl.col("first_from").dt.year() * 12 + pl.col("first_from").dt.month() - 1
    q_first, q_last = q0.year * 12 + q0.month - 1, q1.year * 12 + q1.month - 1
    a = start_m + fm  # month of the first follow-up
    nxt = pl.when(a >= q_first).then(a).otherwise(a + ((pl.lit(q_first) - a + every - 1) // every) * every)  # first follow-up from the quarter on
    follow_due = nxt <= q_last

    # approval tiers: the lowest tier whose limit covers the annualised cost, now and in the comparison quarter
    def tier_of(cost: pl.Expr) -> pl.Expr:
        e = pl.lit(len(opts.tiers.tiers) - 1, pl.Int32)
        for i, (_, limit) in reversed(list(enumerate(opts.tiers.tiers))):
            if limit is not None:
                e = pl.when(cost <= limit).then(pl.lit(i, pl.Int32)).otherwise(e)
        return e

    names = pl.Series([n for n, _ in opts.tiers.tiers], dtype=pl.String)
    cost = pl.col("annualised_cost").cast(pl.Float64)
    df = df.with_columns(_tier=tier_of(cost), _tier_c=tier_of((pl.col("c_ore") * 4 / 100).cast(pl.Float64)))
    df = df.with_columns(approval_level=pl.lit(names).gather(pl.col("_tier")))
    rate_q = pl.col("q_active_ore") / pl.col("active_months")
    rate_c = pl.col("c_active_ore") / pl.col("active_months_c")
    df = df.with_columns(
        _rate_change=pl.when((pl.col("active_months") > 0) & (pl.col("active_months_c") > 0)).then(rate_q - rate_c),
        _rate_pct=pl.when((pl.col("active_months") > 0) & (pl.col("active_months_c") > 0) & (pl.col("c_active_ore") > 0)).then(
            (rate_q - rate_c) / rate_c * 100
        ),
    )
    sched = None
    if schedules is not None:
        sched = schedules.filter(pl.col("new_level").is_not_null()).group_by("citizen_id", "offer_id").agg(schedule_level=pl.col("new_level").first())
        df = df.join(sched, on=["citizen_id", "offer_id"], how="left")
    else:
        df = df.with_columns(schedule_level=pl.lit(None, dtype=pl.Int16))
    thr, mn = opts.threshold_pct, opts.min_change
    flag_exprs = [
        # the cost per active month (the run rate): a month emptied by a correction is not a cheaper month
        ("cost_up", (pl.col("_rate_change") * 12 > mn * 100) & (pl.col("_rate_pct") > thr) & (pl.col("active_months_c") > 0)),
        (
            "level_changed",
            (pl.col("levels_in_q").fill_null(0) > 1)
            | (pl.col("level_before").is_not_null() & pl.col("level").is_not_null() & (pl.col("level_before") != pl.col("level"))),
        ),
        ("schedule_level_differs", pl.col("schedule_level").is_not_null() & pl.col("level").is_not_null() & (pl.col("schedule_level") != pl.col("level"))),
        ("commitment_ending", (pl.col("last_to") > pl.lit(q_end)) & (pl.col("last_to") <= pl.lit(q_end + dt.timedelta(days=opts.ending_within_days)))),
        ("new_case", pl.col("first_from").is_between(q0, q_end)),
        ("closed_case", pl.col("last_to").is_between(q0, q_end)),
        ("follow_up_due", follow_due & (pl.col("last_to") >= pl.lit(q0))),
        ("tier_up", (pl.col("_tier") > pl.col("_tier_c")) & (pl.col("c_ore") > 0)),
        (
            "no_schedule",
            pl.lit(schedules is not None)
            & (pl.col("provider") == "internal")
            & pl.col("paragraph").is_in(list(RESIDENTIAL))
            & pl.col("schedule_level").is_null()
            & (pl.col("active_months") > 0),
        ),
    ]
    df = df.with_columns(flags=pl.concat_list([pl.when(e.fill_null(False)).then(pl.lit(n)) for n, e in flag_exprs]).list.drop_nulls())
    df = df.with_columns(quarter=pl.lit(quarter_label(q0)), compare_quarter=pl.lit(quarter_label(c0)))
    cases = (
        df.select(PORTFOLIO.names)
        .cast(PORTFOLIO.schema)
        .sort(["caseworker", "change", "citizen_id", "case_id", "offer_id"], descending=[False, True, False, False, False])
    )
    summary = (
        df.group_by("caseworker")
        .agg(
            cases=pl.len(),
            haap=pl.col("active_months").sum() / 12,  # integer sum: independent of summation order
            _months=pl.col("active_months").sum(),
            _q=pl.col("q_ore").sum(),
            annual_cost=pl.col("annualised_cost").sum(),
            change=pl.col("change").sum(),
            flagged_cases=(pl.col("flags").list.len() > 0).sum(),
        )
        .with_columns(
            # the quarter's øre per HÅP (months / 12), exactly: øre × 12 / months
            average_price=pl.when(pl.col("_months") > 0).then(kroner(ore_ratio(pl.col("_q") * 12, "_months"))),
            quarter=pl.lit(quarter_label(q0)),
        )
    )
    summary = summary.select(PORTFOLIO_SUMMARY.names).cast(PORTFOLIO_SUMMARY.schema).sort(["change", "caseworker"], descending=[True, False])
    return cases, summary


FLAG_LABELS_DA = {k: v for k, v in LABELS.FLAGS.items() if k in FLAGS}  # (from tariffkit.labels)


def workbook(cases: pl.DataFrame, summary: pl.DataFrame) -> bytes:
    """Overview sheet plus one sheet per caseworker: Danish labels, kroner as #.##0, frozen header
    row, flagged rows highlighted, column widths that fit. The cases are split by caseworker in
    one pass and each sheet written as a table in one go (:class:`tariffkit.xlsx.TableBook`)."""
    from tariffkit.xlsx import TableBook, sheet_name

    money_cols = {"monthly_cost", "monthly_cost_compare", "annualised_cost", "change", "annual_cost", "average_price"}
    two_decimals = {"haap", "change_pct"}
    book = TableBook()

    def column_values(df: pl.DataFrame, c: str) -> list:
        s = df[c]
        if c == "flags":
            return [LABELS.flags(v) for v in s.to_list()]
        if c in LABELS.CODED_COLUMNS:
            return [LABELS.value(v) for v in s.to_list()]
        if c == "haap":
            return [None if v is None else round(float(v), 2) for v in s.to_list()]
        if c in money_cols:  # kroner and øre as the nearest float (polars' cast: as float(Decimal), a test compares)
            return s.cast(pl.Float64).to_list()
        return s.to_list()

    def write(name: str, cols: list[str], values: list[list], flagged: list[bool]) -> None:
        headers = [str(LABELS.column(c)) for c in cols]
        formats = ["#,##0" if c in money_cols else "0.00" if c in two_decimals else None for c in cols]
        widths = [min(60, max([len(h)] + [len(str(v if v is not None else "")) for v in vs[:499]]) + 2) for h, vs in zip(headers, values)]
        book.table(name, headers, values, formats, flagged, widths)

    write("Oversigt", summary.columns, [column_values(summary, c) for c in summary.columns], [False] * summary.height)
    # the cases' cells turned into values once, then each caseworker's rows picked out (in order)
    cols = cases.columns
    values = [column_values(cases, c) for c in cols]
    flagged = [bool(v) for v in cases["flags"].to_list()] if "flags" in cols else [False] * cases.height
    rows_of: dict[object, list[int]] = {}
    for i, cw in enumerate(cases["caseworker"].to_list()):
        rows_of.setdefault(cw, []).append(i)
    used = {"oversigt"}
    for cw in summary["caseworker"].to_list():
        idx = rows_of.get(cw, [])
        write(sheet_name(cw, used), cols, [[vs[i] for i in idx] for vs in values], [flagged[i] for i in idx])
    return book.bytes()
