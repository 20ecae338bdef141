"""The payments history (*betalingshistorik*): every DSS extract is a snapshot.

An extract is the state of the municipality's books on the day it was taken, its extract date
(*udtræksdato*) d: the actual payments (*forbrug*) up to d and the commitments
(*dispositioner*) open on d. The next extract is the next state. So the history keeps, for every
line, the extract it came from (``source_file``) and that extract's date (``extract_date``), and
reads them by three rules (docs/concepts.md, "Udtræk og historik"):

1. **Actual lines accumulate.** A line already in the history (same content, any extract) is
   not added again; corrections arrive as new lines. ``import-dss --append`` does this.
2. **Commitments are a snapshot.** Only the commitments of the newest extract that has any
   count; older snapshots' commitments stay in the file (so ``known_at`` can reproduce what the
   history said on an earlier date) but are superseded. An extract with no commitments at all
   leaves the previous snapshot's commitments in force (they are *stale*; the import says so).
3. **Commitments count only after the horizon.** The horizon h is the newest extract date. A
   commitment counts for the days after h; one that starts on or before h is cut at h + 1. Its
   amount for the days kept is ``amount − trunc(amount × days cut / days in the line)``: the part
   cut is truncated toward zero, as every spread part is (tariffkit.haap), so the line's øre are
   never rounded twice.

``known_at`` reads the history as it stood on that date: only extracts dated on or before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from tariffkit.periods import days_between

COMMITMENT = "commitment"


@dataclass(frozen=True)
class Extract:
    """One snapshot in the history."""

    extract_date: dt.date
    lines: int
    commitments: int


@dataclass(frozen=True)
class Snapshot:
    """What the history says at ``known_at`` (None = now): the horizon (newest extract date),
    the extract whose commitments count, and whether those commitments are stale (an extract
    after them had none)."""

    extracts: tuple[Extract, ...]
    horizon: dt.date | None
    commitments_from: dt.date | None
    known_at: dt.date | None = None

    @property
    def stale(self) -> bool:
        return self.commitments_from is not None and self.horizon is not None and self.commitments_from < self.horizon


def extracts_query(payments: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """The query behind :func:`extracts` (to run it together with another one)."""
    return payments.lazy().group_by("extract_date").agg(lines=pl.len(), commitments=(pl.col("kind") == COMMITMENT).sum()).sort("extract_date")


def extracts(payments: pl.LazyFrame | pl.DataFrame, *, collected: pl.DataFrame | None = None) -> tuple[Extract, ...]:
    """The snapshots in a payments history, oldest first (``collected``: the result of
    :func:`extracts_query`, run already)."""
    g = collected if collected is not None else extracts_query(payments).collect()
    return tuple(Extract(r["extract_date"], int(r["lines"]), int(r["commitments"])) for r in g.iter_rows(named=True) if r["extract_date"] is not None)


def snapshot(payments: pl.LazyFrame | pl.DataFrame, known_at: dt.date | None = None, *, collected: pl.DataFrame | None = None) -> Snapshot:
    """The snapshot in force at ``known_at`` (None: the newest)."""
    all_ = extracts(payments, collected=collected)
    seen = tuple(e for e in all_ if known_at is None or e.extract_date <= known_at)
    horizon = seen[-1].extract_date if seen else None
    with_c = [e.extract_date for e in seen if e.commitments]
    return Snapshot(seen, horizon, with_c[-1] if with_c else None, known_at)


def effective(payments: pl.LazyFrame | pl.DataFrame, snap: Snapshot) -> pl.LazyFrame:
    """The lines that count under ``snap``: every actual line of the extracts it has seen, and
    the commitments of ``snap.commitments_from``, cut to the days after the horizon (rules 2–3
    above). Columns as in ``payments``."""
    lf = payments.lazy()
    if snap.horizon is None:
        return lf.filter(pl.lit(False))
    actual = lf.filter((pl.col("kind") != COMMITMENT) & (pl.col("extract_date") <= snap.horizon))
    if snap.commitments_from is None:
        return actual
    first = snap.horizon + dt.timedelta(days=1)
    c = lf.filter((pl.col("kind") == COMMITMENT) & (pl.col("extract_date") == snap.commitments_from) & (pl.col("service_to") >= first))
    total = days_between("service_from", "service_to")
    cut_days = (pl.lit(first) - pl.col("service_from")).dt.total_days()
    ore = (pl.col("amount") * 100).cast(pl.Int64)
    cut_ore = (ore.abs() * cut_days // total) * ore.sign()  # truncated toward zero
    kept = ((ore - cut_ore).cast(pl.Decimal(38, 2)) / 100).cast(payments.collect_schema()["amount"])
    c = c.with_columns(
        amount=pl.when(pl.col("service_from") < first).then(kept).otherwise(pl.col("amount")),
        service_from=pl.max_horizontal(pl.col("service_from"), pl.lit(first)),
    )
    return pl.concat([actual, c])


def lines_in_force(payments: pl.LazyFrame | pl.DataFrame, known_at: dt.date | None = None) -> tuple[pl.LazyFrame, Snapshot]:
    """``effective(payments, snapshot(payments, known_at))`` and the snapshot: what every
    command that reads the payments history counts."""
    snap = snapshot(payments, known_at)
    return effective(payments, snap), snap
