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
from typing import Final, cast

import polars as pl

from tariffkit import history
from tariffkit.danish import MONEY
from tariffkit.errors import UsageError
from tariffkit.money import exact, kroner, ore_of
from tariffkit.periods import days_between, merged_periods

MONTH = "month"
REFUND = "refund"


@dataclass(frozen=True)
class HaapOptions:
    by: tuple[str, ...] = ()
    start: dt.date | None = None  # first month (day 1); None = from the data
    end: dt.date | None = None  # last month (day 1); None = from the data
    monthly: bool = False
    method: str = "months"  # months | days
    as_of: dt.date | None = None  # forecast date: *_ytd columns to its month, the forecast to the period end
    period_label: str | None = None  # e.g. "2026"; None = one period per calendar year
    known_at: dt.date | None = None  # read the history as it stood on this date (None: now)
    stay_gap: int = 1  # months without activity between two active months that are not an absence (flows)
    refunds: bool = False  # add the refund and expense_net columns


def period_of(
    year: int | None = None,
    from_month: dt.date | None = None,
    to_month: dt.date | None = None,
    as_of: dt.date | None = None,
    known_at: dt.date | None = None,
) -> tuple[dt.date | None, dt.date | None, str | None]:
    """The period HÅP is computed for, as (first month, last month, label): a calendar ``year``,
    the months ``from_month`` … ``to_month`` (any day of each; the label ``2026-01..2026-06``),
    with ``as_of`` alone its year, or (None, None, None): one period per calendar year of the
    data. ``as_of`` must fall inside the period and not after ``known_at``."""
    if year is not None and (from_month or to_month):
        raise UsageError("give either `year` or `from`/`to`, not both")
    if bool(from_month) != bool(to_month):
        raise UsageError("`from` and `to` go together")
    start = end = label = None
    if year is not None:
        start, end, label = dt.date(year, 1, 1), dt.date(year, 12, 1), str(year)
    elif from_month and to_month:
        start, end = from_month.replace(day=1), to_month.replace(day=1)
        if end < start:
            raise UsageError("`to` is before `from`")
        label = f"{start:%Y-%m}" if start == end else f"{start:%Y-%m}..{end:%Y-%m}"
    if as_of and known_at and as_of > known_at:
        raise UsageError(f"`as_of` {as_of} is after `known_at` {known_at}: the history as known then does not reach it")
    if as_of:
        if start is None:
            start, end, label = dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 1), str(as_of.year)
        if not (start <= as_of.replace(day=1) <= end):  # type: ignore[operator]
            raise UsageError("`as_of` must fall inside the period")
    return start, end, label


def check_by(keys: tuple[str, ...]) -> None:
    """The grouping columns HÅP can be computed by: payments columns, each once, never the
    citizen (that would list persons)."""
    from tariffkit.contracts import PAYMENTS

    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise UsageError(f"`by` names {twice[0]} twice")
    allowed = [c for c in PAYMENTS.names if c not in ("amount", "service_from", "service_to", "source_row", "extract_date")]
    for k in keys:
        if k not in allowed:
            raise UsageError(f"`by`: unknown column {k!r}; choose from {', '.join(allowed)}")
    if "citizen_id" in keys:
        raise UsageError("`by` citizen_id would list persons; group by offer, level, paragraph … instead")


def month_add(d: dt.date, n: int) -> dt.date:
    m = d.year * 12 + d.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)


def month_number(d: dt.date) -> int:
    """Absolute month number of a date: year × 12 + month − 1 (2026-01 → 24312)."""
    return d.year * 12 + d.month - 1


def _month_number(d: pl.Expr) -> pl.Expr:
    return d.dt.year().cast(pl.Int32) * 12 + d.dt.month().cast(pl.Int32) - 1


def _first_day(number: pl.Expr) -> pl.Expr:
    """First day of the month with this absolute month number."""
    return pl.date(number // 12, number % 12 + 1, 1)


_EPOCH = dt.date(1970, 1, 1)


class _Calendar:
    """Month numbers and first days of months. With the dates' bounds known (``lo`` … ``hi``),
    both are one lookup in a small table (a day's month number; a month's first day), several
    times faster than taking the year and month of every date; without them, the arithmetic."""

    def __init__(self, lo: dt.date | None = None, hi: dt.date | None = None):
        self.known = lo is not None and hi is not None
        if lo is not None and hi is not None:
            self._day0, self._m0 = (lo - _EPOCH).days, month_number(lo)
            days = pl.date_range(lo, hi, "1d", eager=True)
            self._months = days.to_frame("d").select(_month_number(pl.col("d"))).to_series()
            n = month_number(hi) - self._m0 + 2  # (the month after hi's too: a month's last day is the next one's first − 1)
            self._starts = pl.Series([(_first_day_of(self._m0 + i) - _EPOCH).days for i in range(n)], dtype=pl.Int32)

    def month(self, d: pl.Expr) -> pl.Expr:
        """The month number of the dates ``d`` (Int32)."""
        if not self.known:
            return _month_number(d)
        return pl.lit(self._months).gather(d.to_physical() - self._day0)

    def start(self, number: pl.Expr) -> pl.Expr:
        """The first day of month ``number`` as days since 1970 (Int32)."""
        if not self.known:
            return _first_day(number).to_physical()
        return pl.lit(self._starts).gather(number - self._m0)


def _spread(lines: pl.LazyFrame, cols: list[str], *, clip: bool, last: int | None = None, calendar: _Calendar | None = None) -> pl.LazyFrame:
    """Payment lines → one row per line and month: ``cols``, ``kind``, ``_mn`` (month number),
    ``ore`` and, with ``clip``, ``days``, ``from`` and ``to`` (the line's days in the month).

    ``last``: no months after this month number are wanted. A line running past it (a
    commitment to the end of next year) is not spread beyond it: the months dropped include
    the line's last month, the only one whose share depends on the others, so the months kept
    are exactly what the full spread gives them. ``calendar``: a :class:`_Calendar` that knows
    the lines' dates' bounds (faster)."""
    cal = calendar or _Calendar()
    day_from, day_to = pl.col("service_from").to_physical(), pl.col("service_to").to_physical()
    total_days = (day_to - day_from + 1).cast(pl.Int64)
    ore = pl.col("amount").cast(pl.Decimal(18, 2)).to_physical().cast(pl.Int64)  # kroner with two decimals → whole øre
    lines = lines.with_columns(_mf=cal.month(pl.col("service_from")), _mt=cal.month(pl.col("service_to")))
    # Most lines pay for one month (97 % in a typical extract): they need no spreading.
    dates = [total_days.alias("days"), pl.col("service_from").alias("from"), pl.col("service_to").alias("to")] if clip else []
    one = lines.filter(pl.col("_mf") == pl.col("_mt")).select(*cols, "kind", pl.col("_mf").alias("_mn"), ore.alias("ore"), *dates)
    many = (
        lines.filter(pl.col("_mf") != pl.col("_mt"))
        .select(
            *cols,
            "kind",
            "_mt",
            _df=day_from,
            _dt=day_to,
            _ore=ore,
            _total=total_days,
            _line=pl.int_range(pl.len(), dtype=pl.Int64),
            _mn=pl.int_ranges("_mf", (pl.col("_mt") if last is None else pl.min_horizontal("_mt", pl.lit(last, pl.Int32))) + 1, dtype=pl.Int32),
        )
        .explode("_mn")
    )
    # the line's days in the month, as days since 1970: from the later of the month's first day
    # and the line's start, to the earlier of the month's last day and the line's end
    many = many.with_columns(
        _f=pl.max_horizontal(cal.start(pl.col("_mn")), "_df"),
        _t=pl.min_horizontal(cal.start(pl.col("_mn") + 1) - 1, "_dt"),
    ).with_columns(days=(pl.col("_t") - pl.col("_f") + 1).cast(pl.Int64))
    # each month but the last: trunc(amount × days / total days), toward zero; the last: the rest
    share = (pl.col("_ore").abs() * pl.col("days") // pl.col("_total")) * pl.col("_ore").sign()
    many = many.with_columns(_share=share).with_columns(
        ore=pl.when(pl.col("_mn") == pl.col("_mt")).then(pl.col("_ore") - (pl.col("_share").sum().over("_line") - pl.col("_share"))).otherwise(pl.col("_share"))
    )
    clipped: list[str | pl.Expr] = ["days", pl.col("_f").cast(pl.Date).alias("from"), pl.col("_t").cast(pl.Date).alias("to")] if clip else []
    return pl.concat([one, many.select(*cols, "kind", "_mn", "ore", *clipped)])


def spread_months(payments: pl.LazyFrame, cols: list[str]) -> pl.LazyFrame:
    """Payment lines → one row per line and month with the line's øre for that month.

    Keeps ``cols`` plus ``kind``, ``month`` (first day), ``days`` (days of the line in the
    month), ``ore`` and ``from``/``to`` clipped to the month."""
    return _spread(payments, cols, clip=True).select(*cols, "kind", _first_day(pl.col("_mn")).alias(MONTH), "days", "ore", "from", "to")


class _Codes:
    """Whole-number codes for the columns the computation groups by.

    A text column is cast to a categorical with categories of its own (polars hashes each
    distinct string once) and takes the categorical's code; an integer column's code is value −
    minimum; a null gets the code after the last. The ``--by`` columns' codes are packed into
    one group number ``_g``, the pseudonym's into ``_cit``. :meth:`decode` turns group numbers
    back into the columns. The categorical Series stay referenced here: polars frees a mapping
    no Series uses."""

    def __init__(self, lines: pl.DataFrame, keys: list[str]):
        self.keys = keys
        self._anchors: list[pl.Series] = []
        self._decoders: list[tuple[pl.Series, pl.Series | int, int]] = []  # (empty column, categories | minimum, radix)
        # the text columns cast to categoricals in one select (polars casts them side by side)
        self._categories = {n: pl.Categories.random() for n in [*keys, "citizen_id"] if lines.schema[n] == pl.String}
        self._cast = lines.select(pl.col(n).cast(pl.Categorical(c)) for n, c in self._categories.items())
        codes = [self._code(lines, name, f"_c{i}") for i, name in enumerate(keys)]
        citizen, self.citizens = self._code(lines, "citizen_id", "_cit", ordered=False), self._decoders.pop()[2]
        del self._cast
        space = 1
        for _, _, radix in self._decoders:
            space *= radix
        self._combinations: pl.DataFrame | None = None
        lines = lines.with_columns(*codes, citizen)
        if not keys or space * self.citizens < _PACK_LIMIT:  # pack: _g = Σ code × the radixes after it
            group = pl.lit(0, pl.Int64)
            for i, (_, _, radix) in enumerate(self._decoders):
                group = group * radix + pl.col(f"_c{i}")
            self.lines, self.groups = lines.with_columns(_g=group), space
        else:  # too many combinations to pack: number those that occur
            names = [f"_c{i}" for i in range(len(keys))]
            self._combinations = lines.select(names).unique().sort(names).with_row_index("_g").with_columns(pl.col("_g").cast(pl.Int64))
            self.lines, self.groups = lines.join(self._combinations, on=names), self._combinations.height

    def _code(self, lines: pl.DataFrame, name: str, alias: str, ordered: bool = True) -> pl.Series:
        """``ordered``: codes in the values' sorted order (group columns); the citizen's code
        only has to tell citizens apart, and no output depends on its order."""
        column = lines[name]
        if column.dtype == pl.String and not ordered:
            physical = self._cast[name].to_physical()
            top = physical.max()
            size = 0 if top is None else int(cast(int, top)) + 1  # a fresh mapping numbers 0, 1, …
            self._decoders.append((column.clear(), 0, size + 1))
            return physical.cast(pl.Int64).fill_null(size).rename(alias)
        if column.dtype == pl.String:
            categories, categorical = self._categories[name], self._cast[name]
            self._anchors.append(categorical)
            cats = categories.to_series()
            # codes in the values' sorted order, so group numbers sort as the values do
            rank = (cats.rank("ordinal") - 1).cast(pl.Int64)
            known: pl.Series | int = cats.sort()
            size = cats.len()
            code = rank.gather(categorical.to_physical()) if size else categorical.to_physical().cast(pl.Int64)
        elif column.dtype.is_integer():
            lo, hi = column.min(), column.max()
            known = 0 if lo is None else int(cast(int, lo))
            size = (0 if hi is None else int(cast(int, hi))) - known + 1
            code = column.cast(pl.Int64) - known
        else:
            raise ValueError(f"cannot group by {name} ({column.dtype}): only text and whole-number columns")
        self._decoders.append((column.clear(), known, size + 1))
        return code.fill_null(size).rename(alias)

    def decode(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with ``_g`` → the ``--by`` columns followed by ``frame`` without ``_g``."""
        if self._combinations is not None:
            found = frame.select("_g").join(self._combinations, on="_g", how="left", maintain_order="left")
            codes = [found[f"_c{i}"] for i in range(len(self.keys))]
        else:
            codes, rest = [], frame["_g"]
            for _, _, radix in reversed(self._decoders):
                codes.append(rest % radix)
                rest = rest // radix
            codes.reverse()
        columns = []
        for (column, known, radix), code in zip(self._decoders, codes):
            code = code.to_frame("c").select(pl.when(pl.col("c") < radix - 1).then(pl.col("c"))).to_series()  # the last code is null
            values = known.gather(code) if isinstance(known, pl.Series) else code + known
            columns.append(values.cast(column.dtype).rename(column.name))
        return pl.DataFrame(columns).hstack(frame.drop("_g")) if columns else frame.drop("_g")


_KEY_SPACE = 2**62  # (group × citizens + citizen) × months must stay below this (Int64)
_PACK_LIMIT = 2**40  # packed group numbers up to this; more combinations are numbered instead


def _period_label(opts: HaapOptions, first: int) -> pl.Expr:
    """The ``period`` text from ``_p`` (see :func:`compute`)."""
    if opts.monthly:
        return _first_day(pl.col("_p") + first).dt.strftime("%Y-%m")
    if opts.period_label:
        return pl.lit(opts.period_label)
    return (pl.col("_p") + first // 12).cast(pl.String)


# Months method: a citizen's active month is L units, shared between the groups in proportion
# to the days assigned to each; L is divisible by every day count 1 … 31, so shares are exact.
L = 72_201_776_446_800  # lcm(1, …, 31)
YEAR_UNITS = 133_590  # days method: a day is 366 units in a 365-day year, 365 in a leap year


# polars' engines: the streaming engine (polars 2's default) is the faster for the large
# group-bys; the in-memory engine for sorts, shifts and joins of frames held in memory (measured
# at 100,000 citizens, bench/RESULTS.md). Every query gives the same result on either.
_IN_MEMORY: Final = "in-memory"
PART_LINES = 4_000_000  # lines of the window computed at once from a file (about 1.2 GB at the peak); more are split by citizen


def compute(payments: pl.LazyFrame | pl.DataFrame, opts: HaapOptions, *, check=None, part_lines: int = PART_LINES) -> pl.DataFrame:
    """The ``haap`` table for ``payments`` (see the module docstring for the definitions).

    ``payments`` may be a lazy scan of a Parquet file: only the lines whose service period
    touches the window are read (the filter is pushed into the scan), and when they are more
    than ``part_lines`` the citizens are split into parts by a hash of the pseudonym and each
    part is computed on its own. Every figure is a sum over citizens (active months, their
    shares, entries and exits of stays, øre), so the parts add up to exactly the table one pass
    gives; memory is bounded by the part, not by the file. ``check``: called with each part's
    lines in force, e.g. to check them against the payments contract.

    Inside, each (group, citizen, month) is one whole number ``_K`` = (group × citizens +
    citizen) × W + ``_k``, where ``_k`` is the month's offset in a window that starts
    ``stay_gap`` + 1 months before the period and ends ``stay_gap`` months after it. Sorted, a
    citizen's months in a group lie side by side, so the months before and after a stay are the
    neighbouring rows: inflow and outflow need no join, and every group-by is on one integer."""
    in_memory = isinstance(payments, pl.DataFrame)
    lf = payments.lazy()
    if opts.stay_gap < 0:
        raise UsageError(f"`stay_gap` must be 0 or more months, got {opts.stay_gap}")
    keys = list(opts.by)
    start, end = opts.start, opts.end
    early = None  # with the period given and one part: the period's lines, read with the history's snapshot
    if start is not None and end is not None and (in_memory or lf.select(pl.len()).collect().item() <= part_lines):
        found, early = history.extracts_query(lf).collect(), lf.filter(_window(start, end, opts.stay_gap)[1]).collect(engine=_IN_MEMORY)
        snap = history.snapshot(lf, opts.known_at, collected=found)
    else:
        snap = history.snapshot(lf, opts.known_at)
    if opts.known_at is not None and snap.horizon is None:
        raise UsageError(f"`known_at` {opts.known_at} is before the oldest extract in the history")
    if opts.as_of is not None and snap.horizon is not None and opts.as_of > snap.horizon:
        raise UsageError(
            f"`as_of` {opts.as_of} is after the newest extract date {snap.horizon}: a forecast needs data up to its as-of date"
            + (" (the history as known at that date)" if opts.known_at else "")
        )
    if start is None or end is None:
        bounds = history.effective(lf, snap).select(pl.col("service_from").min().alias("a"), pl.col("service_to").max().alias("b")).collect()
        if bounds.height == 0 or bounds["a"][0] is None:
            return _empty(keys, opts)
        start = start or bounds["a"][0].replace(day=1)
        end = end or bounds["b"][0].replace(day=1)
    win, touches = _window(start, end, opts.stay_gap)
    raw = lf.filter(touches)  # (the history's rules only cut lines shorter: the lines read are a superset)
    parts = 1
    if early is None and not in_memory and sum(e.lines for e in snap.extracts) > part_lines:
        parts = max(1, -(-raw.select(pl.len()).collect().item() // part_lines))
    partials = []
    for i in range(parts):
        part = early if early is not None else raw if parts == 1 else raw.filter(pl.col("citizen_id").hash(_PART_SEED) % parts == i)
        lines = history.effective(part, snap).filter(touches).collect()
        if check is not None:
            lines = check(lines)
        dated = lines.filter(pl.col("service_from").is_not_null() & pl.col("service_to").is_not_null())  # (the contract's; `check` names any other)
        partials.append(_partial(dated.select(*keys, "citizen_id", "service_from", "service_to", "amount", "kind"), keys, opts, win))
        del lines
    return _finish(partials, keys, opts, win)


_PART_SEED = 20_260_101


def _window(start: dt.date, end: dt.date, gap: int) -> tuple[_Window, pl.Expr]:
    """The months computed for the period ``start`` … ``end`` (first days of months), and the
    filter of the lines that touch them."""
    first = month_number(start) - (gap + 1)  # _k = 0
    n = month_number(end) - month_number(start) + 1  # months in the period: _k = gap + 1 … gap + n
    win = _Window(first, gap + 1, gap + n, gap + n + gap)
    lo_day, hi_day = _first_day_of(first), month_add(_first_day_of(first + win.kmax), 1) - dt.timedelta(days=1)
    # (a line without dates is read too, so that a check of the lines read finds it: it would
    # otherwise be dropped unseen, and its money with it)
    to, frm = pl.col("service_to"), pl.col("service_from")
    return win, ((to >= lo_day) | to.is_null()) & ((frm <= hi_day) | frm.is_null())


@dataclass(frozen=True)
class _Window:
    """The months computed, as offsets ``_k`` from month number ``first``: the period is
    ``p0`` … ``p1``; ``kmax`` is the last month read (the stays need ``stay_gap`` months either
    side)."""

    first: int
    p0: int
    p1: int
    kmax: int

    @property
    def width(self) -> int:
        return self.kmax + 2


def _partial(lines: pl.DataFrame, keys: list[str], opts: HaapOptions, win: _Window) -> pl.DataFrame:
    """The sums for these lines' citizens per group and period (the ``--by`` columns, ``_p``,
    and whole numbers: citizens, ``_u`` units, ``_ore``, ``_refund_ore``, inflow, outflow and,
    with ``as_of``, ``_u_ytd``/``_ore_ytd``); :func:`_finish` adds parts up and derives the
    figures."""
    first, p0, p1, kmax, width = win.first, win.p0, win.p1, win.kmax, win.width
    gap = opts.stay_gap
    codes = _Codes(lines, keys)
    if codes.groups * codes.citizens * width >= _KEY_SPACE:
        raise UsageError("too many groups × citizens × months to number; group by fewer `by` columns or a shorter period")
    per_group = codes.citizens * width
    days_method = opts.method == "days"
    bounds = codes.lines.select(
        lo=pl.min_horizontal(pl.col("service_from").min(), pl.col("service_to").min()),
        hi=pl.max_horizontal(pl.col("service_from").max(), pl.col("service_to").max()),
    )
    calendar = _Calendar(*bounds.row(0))

    def spread_of(lines: pl.LazyFrame, *, clip: bool) -> pl.LazyFrame:  # the lines' months in the window, keyed _K
        base = (pl.col("_g") * per_group + pl.col("_cit") * width - first).alias("_B")  # _K = _B + month number
        line_dates = {"_sf": "service_from", "_st": "service_to"} if clip else {}
        s = _spread(
            lines.select(base, "service_from", "service_to", "amount", "kind", **line_dates),
            ["_B", *line_dates],
            clip=clip,
            last=first + kmax,
            calendar=calendar,
        )
        s = s.filter((pl.col("_mn") - first).is_between(0, kmax))
        dates = ["days", "from", "to", *line_dates] if clip else []
        return s.select((pl.col("_B") + pl.col("_mn")).alias("_K"), "ore", *dates, (pl.col("kind") == REFUND).alias("_refund"))

    # one row per (group, citizen, month): its net (refunds apart), positive lines, their days;
    # the lines' months are not kept: only the few months shared between groups need them again
    is_money = ~pl.col("_refund")
    positive = (pl.col("ore") > 0) & is_money
    spread = spread_of(codes.lines.lazy(), clip=days_method)  # the days method needs each line's days
    refund_lines = bool(codes.lines.select((pl.col("kind") == REFUND).any()).item())
    if refund_lines:
        kt_aggs = [pl.col("ore").filter(is_money).sum(), pl.col("ore").filter(pl.col("_refund")).sum().alias("_refund_ore")]
    else:  # (the common case: one sum is cheaper than two filtered ones)
        kt_aggs = [pl.col("ore").sum()]
    if days_method:
        kt_aggs += [positive.sum().alias("_pos"), pl.col("days").filter(positive).sum().cast(pl.Int64).alias("_d")]
    # citizens with lines in more than one group in the window: only their months can be shared
    several_groups = codes.lines.lazy().group_by("_cit").agg(_lo=pl.col("_g").min(), _hi=pl.col("_g").max()).filter(pl.col("_lo") != pl.col("_hi"))
    kt, multi = spread.group_by("_K").agg(kt_aggs).collect(), several_groups.select("_cit").collect()
    if not refund_lines:
        kt = kt.with_columns(_refund_ore=pl.lit(0, pl.Int64))
    if not days_method:  # the months method counts a month whole, whatever its lines and days
        kt = kt.with_columns(_pos=pl.lit(0, pl.UInt32), _d=pl.lit(0, pl.Int64))

    def lines_of(citizens: pl.DataFrame) -> pl.LazyFrame:  # the money lines' months, with dates, of these citizens
        return spread_of(codes.lines.lazy().filter(pl.col("_cit").is_in(citizens["_cit"].implode())), clip=True).filter(is_money)

    K, k = pl.col("_K"), pl.col("_K") % width
    units = _units(lines_of, kt, multi, days_method, first, per_group, width).lazy()  # _K, _g, _u (> 0): the group's share of an active month
    cut = None if opts.as_of is None else month_number(opts.as_of) - first  # year to date: _k ≤ cut

    if opts.monthly:  # _p: the period's number: the month offset, 0, or year − first year

        def period_of(kk: pl.Expr) -> pl.Expr:
            return kk
    elif opts.period_label:

        def period_of(kk: pl.Expr) -> pl.Expr:
            return pl.lit(0, pl.Int64)
    else:

        def period_of(kk: pl.Expr) -> pl.Expr:
            return (kk + first) // 12 - first // 12

    def group_period(kk: pl.Expr) -> pl.Expr:  # _gp = group × W + period
        return K // per_group * width + period_of(kk)

    in_period = k.is_between(p0, p1)
    present = (
        units.with_columns(  # (units are sorted by _K)
            # a stay: months present in the group, gaps of at most `gap` months bridged
            came=(K - K.shift(1) > gap + 1).fill_null(True) | (K // width != (K // width).shift(1)).fill_null(True),
            leaves=(K.shift(-1) - K > gap + 1).fill_null(True) | (K // width != (K // width).shift(-1)).fill_null(True),
        )
        .collect(engine=_IN_MEMORY)
        .lazy()
    )  # used twice below (inflow, outflow): computed once
    per = present.filter(in_period).with_columns(_gp=group_period(k), _cp=K // width * width + period_of(k))
    per = per.with_columns(_first=pl.col("_cp").ne(pl.col("_cp").shift(1)).fill_null(True))  # the citizen's first month in the period
    aggs = [pl.col("_first").sum().alias("citizens"), pl.col("_u").cast(pl.Int128).sum(), pl.col("came").sum().alias("inflow")]  # sums may pass Int64
    exp_aggs = [pl.col("ore").sum().alias("_ore"), pl.col("_refund_ore").sum()]
    if cut is not None:
        aggs.append(pl.col("_u").filter(k <= cut).cast(pl.Int128).sum().alias("_u_ytd"))
        exp_aggs.append(pl.col("ore").filter(k <= cut).sum().alias("_ore_ytd"))
    per = per.group_by("_gp").agg(aggs)
    outflow = present.filter(pl.col("leaves") & (k + 1).is_between(p0, p1)).group_by(_gp=group_period(k + 1)).agg(pl.len().alias("outflow"))
    exp = kt.lazy().filter(in_period).group_by(_gp=group_period(k)).agg(exp_aggs)
    out = exp.join(per, on="_gp", how="full", coalesce=True).join(outflow, on="_gp", how="full", coalesce=True)
    raw = [pl.col("_ore"), pl.col("_refund_ore")] + (
        [pl.col("_u_ytd").fill_null(0).cast(pl.Int128), pl.col("_ore_ytd").fill_null(0)] if cut is not None else []
    )
    out = out.select(
        pl.col("_gp") // width,
        (pl.col("_gp") % width).alias("_p"),
        pl.col("citizens").fill_null(0).cast(pl.Int64),
        pl.col("_u").fill_null(0).cast(pl.Int128),
        *[e.fill_null(0) for e in raw],
        pl.col("inflow").fill_null(0).cast(pl.Int64),
        pl.col("outflow").fill_null(0).cast(pl.Int64),
    ).rename({"_gp": "_g"})
    # sorted by the group and period numbers, which sort as the values do (codes in the values'
    # order, a null's code last): the table's order without sorting text
    return codes.decode(out.sort("_g", "_p").collect())


def _finish(partials: list[pl.DataFrame], keys: list[str], opts: HaapOptions, win: _Window) -> pl.DataFrame:
    """The parts' sums added up per group and period, and the figures derived from them."""
    out = partials[0]
    if len(partials) > 1:  # (each part numbers its groups itself: added up by their values)
        sums = [c for c in out.columns if c not in (*keys, "_p")]
        out = pl.concat(partials).group_by([*keys, "_p"]).agg(pl.col(c).sum() for c in sums).sort([*keys, "_p"], nulls_last=True)
    first = win.first
    cut = opts.as_of is not None
    div = pl.lit(YEAR_UNITS if opts.method == "days" else 12 * L, pl.Int128)
    out = out.with_columns(
        expense=kroner(pl.col("_ore")),
        # expense / (units / divisor) in whole numbers: exact, so a price that ends in half an
        # øre always rounds away from zero
        average_price=pl.when(pl.col("_u") > 0).then(kroner(_divide_half_away(pl.col("_ore").cast(pl.Int128) * div, pl.col("_u")))),
        haap=(pl.col("_u").cast(pl.Float64) / div.cast(pl.Float64)).round(10),
    )
    cols = [*keys, _period_label(opts, first).alias("period"), "citizens", "haap", "expense", "average_price", "inflow", "outflow"]
    if opts.refunds:
        out = out.with_columns(refund=kroner(pl.col("_refund_ore")), expense_net=kroner(pl.col("_ore") + pl.col("_refund_ore")))
        cols += ["refund", "expense_net"]
    if cut:
        out = out.with_columns(
            haap_ytd=(pl.col("_u_ytd").cast(pl.Float64) / div.cast(pl.Float64)).round(10),
            expense_ytd=kroner(pl.col("_ore_ytd")),
            haap_forecast=pl.col("haap"),
            expense_forecast=pl.col("expense"),
        )
        cols += ["haap_ytd", "expense_ytd", "haap_forecast", "expense_forecast"]
    return out.select(cols)


def _first_day_of(number: int) -> dt.date:
    return dt.date(number // 12, number % 12 + 1, 1)


def _units(lines_of, kt: pl.DataFrame, multi: pl.DataFrame, days_method: bool, first: int, per_group: int, width: int) -> pl.DataFrame:
    """Each group's share of a citizen's active month: (_K, _g, _u), sorted by _K.

    A citizen is active in a month when the net of all their lines that month is positive. The
    month's covered days are the days of positive lines in groups whose own net is positive;
    each covered day belongs to one group: the group of the line covering it that starts latest
    (on a move day, the place the citizen moved to; ties: the line that ends later, then the
    larger amount that month, then the group whose values sort last). Months method: the group
    gets L × its days / the covered days; days method: its days × the day's weight.

    Most citizens have lines in one group only, and most of their months one line: those months
    are the group's whole (months method) or the line's days (days method) without looking at
    the lines. Only the others are worked out further (the union of a group's lines; day by day
    where the citizen was in several groups): for them ``lines_of(citizens)`` gives the lines'
    months again, with their days and dates."""
    K = pl.col("_K")
    pos = pl.col("ore") > 0
    cit, group = K % per_group // width, K // per_group
    year = (K % width + first) // 12
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    weight = pl.when(leap).then(365).otherwise(366)  # days method: a day's units (a year is 133,590)
    # ``multi``: the citizens with lines in more than one group in the window (a few per cent: a
    # set lookup, not a join, keeps the others apart cheaply)
    in_multi = cit.is_in(multi["_cit"].implode())
    single = kt.lazy().filter(~in_multi & pos)  # the citizen's one group, active this month
    if days_method:  # one positive line: its days; several: their union, below
        whole = single.filter(pl.col("_pos") == 1).select("_K", _u=(pl.col("_d") * weight).cast(pl.Int64))
        unions = single.filter(pl.col("_pos") > 1).select("_K", _ng=pl.lit(1, pl.UInt32))
    else:  # one group: the whole month, whatever its lines
        whole = single.select("_K").with_columns(_u=pl.lit(L, pl.Int64))
        unions = pl.LazyFrame(schema={"_K": pl.Int64, "_ng": pl.UInt32})
    whole_sorted = whole.sort("_K")  # (collected with the shared months' result below, side by side)
    many = kt.lazy().filter(in_multi).with_columns(_CK=K % per_group)
    # the citizen-month's net, and how many of its groups have a positive net
    active = many.group_by("_CK").agg(_net=pl.col("ore").sum(), _ng=pos.sum().cast(pl.UInt32)).filter(pl.col("_net") > 0)
    good = many.filter(pos).join(active.select("_CK", "_ng"), on="_CK").collect().lazy()
    one_line = (pl.col("_ng") == 1) & ((pl.col("_pos") == 1) | pl.lit(not days_method))
    simple = good.filter(one_line).select("_K", "_CK", days="_d")
    rest = pl.concat([good.filter(~one_line).select("_K", "_ng"), unions]).collect()
    citizens = rest.select(_cit=cit).unique()
    cover = (
        lines_of(citizens)
        .filter(pos)
        .join(rest.lazy(), on="_K", how="inner")
        .select("_K", (K % per_group).alias("_CK"), group.alias("_g"), "from", "to", "ore", "_sf", "_st", "_ng")
        .collect(engine=_IN_MEMORY)
    )
    merged = (  # one group, several lines: their union (sort, merge overlapping or touching intervals)
        cover.filter(pl.col("_ng") == 1)
        .lazy()
        .pipe(merged_periods, ["_K", "_CK"], "from", "to")
        .group_by("_K", "_CK")
        .agg(days=days_between("from", "to").sum().cast(pl.Int64))
    )
    several = (  # a citizen in several groups this month (a move, a level change): day by day
        cover.filter(pl.col("_ng") > 1)
        .lazy()
        .with_columns(_day=pl.date_ranges("from", "to"))
        .explode("_day")
        .sort("_CK", "_day", "_sf", "_st", "ore", "_g")  # the line's own start and end, not the month's
        .group_by("_CK", "_day")
        .agg(pl.col("_K").last())
        .group_by("_K", "_CK")
        .agg(days=pl.len().cast(pl.Int64))
    )
    one_group = pl.concat([simple, merged])
    if days_method:
        small = pl.concat([one_group, several]).select("_K", _u=(pl.col("days") * weight).cast(pl.Int64))
    else:
        covered = several.group_by("_CK").agg(pl.col("days").sum().alias("_D"))
        shared = several.join(covered, on="_CK").select("_K", (pl.lit(L, pl.Int64) * pl.col("days") // pl.col("_D")).alias("_u"))  # ≤ L: fits
        small = pl.concat([one_group.select("_K", _u=pl.lit(L, pl.Int64)), shared])
    whole_done, small = whole_sorted.collect(engine=_IN_MEMORY), small.sort("_K").collect(engine=_IN_MEMORY)
    return whole_done.merge_sorted(small, key="_K").with_columns(_g=group)


def _divide_half_away(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator (denominator > 0) rounded half away from zero, exactly (Int128
    inside, so øre × 133,590 cannot overflow); Int64 out."""
    num, den = numerator.cast(pl.Int128), denominator.cast(pl.Int128)
    return ((num.abs() * 2 + den) // (den * 2) * num.sign()).cast(pl.Int64)


def _empty(keys, opts) -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            **{k: pl.String for k in keys},
            "period": pl.String,
            "citizens": pl.Int64,
            "haap": pl.Float64,
            "expense": MONEY,
            "average_price": MONEY,
            "inflow": pl.Int64,
            "outflow": pl.Int64,
        }
    )


def budget_deviation(haap: pl.DataFrame, budget: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Add the budget comparison: ``budget_expense`` = budget HÅP × budget price, ``deviation``
    = expense (the forecast when there is one) − budget_expense, split into
    ``volume_effect`` = (HÅP − budget HÅP) × budget price and ``price_effect`` = deviation −
    volume_effect (= (price − budget price) × HÅP up to the øre rounding of the average price),
    so the two add up to the deviation exactly."""
    b = budget.select(*by, pl.col("haap").alias("budget_haap"), pl.col("average_price").alias("_bp"))
    out = haap.join(b, on=by, how="left", nulls_equal=True) if by else haap.join(b, how="cross")
    exp_col = "expense_forecast" if "expense_forecast" in out.columns else "expense"
    haap_col = "haap_forecast" if "haap_forecast" in out.columns else "haap"
    # exact Decimal products, each rounded once to the øre, half away from zero (tariffkit.money)
    out = out.with_columns(
        _be=ore_of(exact("budget_haap") * exact("_bp")),
        _e=ore_of(pl.col(exp_col)),
        _vol=ore_of((exact(haap_col) - exact("budget_haap")) * exact("_bp")),
    ).with_columns(
        budget_price=kroner(ore_of(pl.col("_bp"))),
        budget_expense=kroner(pl.col("_be")),
        deviation=kroner(pl.col("_e") - pl.col("_be")),
        volume_effect=kroner(pl.col("_vol")),
        price_effect=kroner(pl.col("_e") - pl.col("_be") - pl.col("_vol")),
    )
    return out.drop("_bp", "_be", "_e", "_vol")
