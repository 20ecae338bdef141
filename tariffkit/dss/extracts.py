"""DSS extracts into the payments history: :func:`import_extracts` (what ``import-dss`` runs).

Each extract is parsed and checked in one streaming pass (:mod:`tariffkit.dss.plan`), dated
(*udtræksdato*), and applied to the history as a snapshot (:mod:`tariffkit.history`):

* actual lines accumulate: a line the history already holds (the same content, matched by
  occurrence: k copies there means the first k copies in the extract are not new) is not added;
* the extract's commitments become the snapshot in force; the older ones stay in the file,
  superseded (so the history can be read as it stood on an earlier date);
* an extract re-imported with the same date replaces that date's commitments;
* an extract older than the newest in the history is refused unless it is declared a late
  re-import (``late``): then its actual lines are added and its commitments replace nothing newer.

The duplicate check against the history runs in partitions by a hash of the line, so memory is
bounded by the partition size, not by the history; the output is written by a streaming sink
and published only when everything has passed (nothing half-written).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from tariffkit import history as hist
from tariffkit import io as tio
from tariffkit.contracts import PAYMENTS
from tariffkit.dss.mapping import CONTENT, Mapping
from tariffkit.dss.plan import FileReport, decide_extract_date, empty_rejects, plan_import, run_import
from tariffkit.errors import DataError, UsageError

PARTITION_ROWS = 1_000_000  # lines of history + extract per duplicate-check partition
LARGE_BYTES = 1_500_000_000  # an extract file this large has its duplicate candidates found after the pass (run_import's `large`)
FINGERPRINT = "tariffkit.key_fingerprint"  # Parquet metadata: the key's public fingerprint


@dataclass
class ImportOptions:
    """How to import: the layout, what to do with bad rows and duplicates, the extract date and
    how the extract meets an existing history."""

    mapping: Mapping = field(default_factory=Mapping)
    on_error: str = "fail"  # fail | reject
    drop_duplicates: bool = False
    sheet: str | None = None
    extract_date: dt.date | None = None  # None: the mapped column's, else the newest actual date
    append: bool = False  # add to the existing history (the snapshot rules)
    replace: bool = False  # an existing history may be replaced by this import
    late: bool = False  # an extract older than the history's newest is a late re-import


@dataclass
class SnapshotChange:
    """What one extract date did to the history."""

    extract_date: dt.date
    files: list[str]
    actual_lines: int = 0
    actual_added: int = 0
    ore_added: int = 0
    commitment_lines: int = 0
    before: tuple[dt.date | None, int, int] = (None, 0, 0)  # snapshot in force before: date, lines, øre
    after: tuple[dt.date | None, int, int] = (None, 0, 0)  # and after
    commitments_cut: int = 0
    stale: bool = False  # the extract had no commitments: the previous snapshot's stay in force
    late: bool = False

    def as_dict(self) -> dict:
        def snap(t):
            return {"extract_date": None if t[0] is None else t[0].isoformat(), "lines": t[1], "amount": f"{t[2] / 100:.2f}"}

        return {
            "extract_date": self.extract_date.isoformat(),
            "files": self.files,
            "actual_lines": self.actual_lines,
            "actual_added": self.actual_added,
            "actual_already_present": self.actual_lines - self.actual_added,
            "amount_added": f"{self.ore_added / 100:.2f}",
            "commitment_lines": self.commitment_lines,
            "commitments_in_force_before": snap(self.before),
            "commitments_in_force_after": snap(self.after),
            "commitments_cut_at_extract_date": self.commitments_cut,
            "commitments_stale": self.stale,
            "late_reimport": self.late,
        }


@dataclass
class ImportResult:
    """The outcome of :func:`import_extracts`: per file the reconciliation, per extract date the
    change to the history, the rejected rows and the history's snapshot afterwards."""

    files: list[FileReport]
    snapshots: list[SnapshotChange]
    rejects: pl.DataFrame
    history: hist.Snapshot | None


def import_extracts(
    sources: Sequence[str],
    output: str,
    key: bytes,
    options: ImportOptions | None = None,
    *,
    inputs: tio.Inputs | None = None,
    metadata: Callable[[], dict[str, str]] | None = None,
) -> ImportResult:
    """Import DSS extracts (CSV or .xlsx paths; ``-`` = CSV on stdin) into the payments history
    ``output`` (a Parquet path, or ``-`` for stdout), by the snapshot rules above.

    ``metadata`` gives the Parquet key-value metadata (provenance), called when the footer is
    written. Raises :class:`DataError` for bad data (nothing written) and :class:`UsageError`
    when the history would lose extracts (neither ``append`` nor ``replace``)."""
    from tariffkit.cpr import key_fingerprint

    inputs = inputs if inputs is not None else tio.Inputs()
    options = options if options is not None else ImportOptions()
    m = options.mapping
    fingerprint = key_fingerprint(key)
    given_metadata = metadata

    def with_fingerprint(_ctx=None) -> dict[str, str]:
        return {**(given_metadata() if given_metadata else {}), FINGERPRINT: fingerprint}

    if not sources:
        raise UsageError("no extract given")
    if options.append and output == tio.STDIO:
        raise UsageError("`append` needs a history file to append to, not stdout")
    datas: list[tuple[str, bytes | None]] = []
    for f in sources:
        if f == tio.STDIO:
            datas.append((f, tio.read_bytes(f, inputs)))
        else:
            tio.register_file(f, inputs, background=True)
            datas.append((f, None))
    tio.check_not_an_input(output, inputs)
    base = Path(output) if output != tio.STDIO and Path(output).exists() else None
    utf8 = (m.encoding or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
    reports: list[FileReport] = []
    rejected: list[pl.DataFrame] = []
    with tio.scratch_files(output) as scratch:
        parts: list[tuple[Path, list[int], FileReport]] = []
        for f, data in datas:
            label = tio.label_of(f)
            name = Path(label).name if f != tio.STDIO else label
            part = scratch(f".part{len(parts)}")
            head = data[:8] if data is not None else tio.read_head(f)
            excel = tio.sniff_kind(head) == "xlsx" or Path(f).suffix.lower() in (".xlsx", ".xlsm")
            large = data is None and Path(f).stat().st_size > LARGE_BYTES  # (about 10 M lines)

            def run(raw, excel=excel, name=name, part=part, large=large):
                plan = plan_import(raw, file=name, mapping=m, key=key, excel=excel)
                return run_import(
                    plan,
                    on_error=options.on_error,
                    drop_duplicates=options.drop_duplicates,
                    sink=lambda lf: lf.sink_parquet(part, lazy=True, **tio.PARQUET_OPTIONS),
                    read_back=lambda: pl.scan_parquet(part),
                    large=large,
                )

            def in_memory(f=f, data=data, label=label, excel=excel):
                data = data if data is not None else tio.read_bytes(f)
                if excel:
                    return tio.read_xlsx_text(data, label, sheet=options.sheet, header_row=m.header_row).lazy()
                return tio.read_csv_text(data, label, separator=m.separator or None, encoding=m.encoding or None, header_row=m.header_row)[0].lazy()

            if data is None and not excel and utf8:  # a UTF-8 file is streamed; anything else decoded in memory
                try:
                    res = run(tio.scan_csv_text(f, label, separator=m.separator or None, header_row=m.header_row))
                except pl.exceptions.ComputeError as e:
                    if "utf-8" not in str(e) and "more fields" not in str(e):
                        raise DataError(f"not a well-formed CSV file ({str(e).splitlines()[0]})", file=label) from None
                    res = run(in_memory())
                except tio.NotUtf8:
                    res = run(in_memory())
            else:
                res = run(in_memory())
            rep = res.reports[0]
            decide_extract_date(rep, options.extract_date, m)
            rep.commitments_cut = _cut(part, res.drop_rows, rep.extract_date)
            parts.append((part, res.drop_rows, rep))
            reports.append(rep)
            rejected.append(res.rejects)

        dates = sorted({_date_of(rep) for _, _, rep in parts})
        if base is not None and not options.append:
            _check_replace(base, dates, options.replace)
            base = None
        elif base is not None:
            _check_history(base, fingerprint)
        newest = max((e.extract_date for e in hist.extracts(pl.scan_parquet(base))), default=None) if base is not None else None
        for d in dates:
            if newest is not None and d < newest and not options.late:
                files = ", ".join(rep.file for _, _, rep in parts if rep.extract_date == d)
                raise DataError(
                    f"the extract date {d} is older than the newest extract in the history ({newest}); "
                    "a late re-import must be declared as such with `late` (it then replaces nothing newer)",
                    file=files,
                )
        changes: list[SnapshotChange] = []
        current: Path | None = base
        for d in dates:
            group = [(p, drop, rep) for p, drop, rep in parts if _date_of(rep) == d]
            new = pl.concat([_lines(p, drop) for p, drop, _ in group]).with_columns(extract_date=pl.lit(d)).select(PAYMENTS.names)
            target = scratch(f".{d.isoformat()}")
            last = d == dates[-1]
            change = _apply(current, new, d, target, group, late=newest is not None and d < newest, metadata=with_fingerprint if last else None)
            changes.append(change)
            current = target
        assert current is not None
        after = hist.snapshot(pl.scan_parquet(current)) if output != tio.STDIO else None  # before it is published (with the other outputs)
        tio.publish(current, output)
    rj = pl.concat(rejected) if rejected else empty_rejects()
    return ImportResult(reports, changes, rj, after)


def _lines(part: Path, drop: list[int]) -> pl.LazyFrame:
    lf = pl.scan_parquet(part)
    return lf.filter(~pl.col("source_row").is_in(drop)) if drop else lf


def _date_of(rep: FileReport) -> dt.date:
    """The extract date :func:`decide_extract_date` gave the report (it raises when it can give none)."""
    assert rep.extract_date is not None
    return rep.extract_date


def _cut(part: Path, drop: list[int], d: dt.date) -> int:
    """Commitments of one extract that start on or before its date (counted from the next day)."""
    return int(_lines(part, drop).filter((pl.col("kind") == hist.COMMITMENT) & (pl.col("service_from") <= d)).select(pl.len()).collect().item())


def _check_history(base: Path, fingerprint: str) -> None:
    schema = pl.read_parquet_schema(base)
    recorded = tio.read_provenance(base).get(FINGERPRINT)
    if recorded is not None and recorded != fingerprint:
        raise DataError(
            "the payments history was pseudonymised with another key than this import's: its citizens would get "
            "second pseudonyms and be counted twice. Use the municipality's key the history was made with",
            file=str(base),
        )
    if "citizen_id" in schema and "extract_date" not in schema:
        raise DataError(
            "the payments history was written by an older tariffkit without extract dates; import its extracts again into a new file", file=str(base)
        )
    missing = [c for c in PAYMENTS.names if c not in schema]
    if missing:
        raise DataError(f"is not a payments history (missing column {missing[0]}); choose the history file to append to", file=str(base), column=missing[0])


def _check_replace(base: Path, dates: list[dt.date], replace: bool) -> None:
    """Writing a new history over an existing one must not throw months away silently."""
    if replace:
        return
    try:
        schema = pl.read_parquet_schema(base)
    except Exception:
        schema = {}
    if "extract_date" not in schema:
        raise UsageError(f"{base} exists and is not a payments history of this version; to overwrite it, say so with `replace` (or choose another output file)")
    lost = [e.extract_date for e in hist.extracts(pl.scan_parquet(base)) if e.extract_date not in dates]
    if lost:
        shown = ", ".join(str(x) for x in lost[:3]) + (" …" if len(lost) > 3 else "")
        raise UsageError(
            f"{base} holds extracts this import does not ({shown}); add the new extract to it with `append`, or replace the whole history with `replace`"
        )


def _in_force(lf: pl.LazyFrame) -> tuple[dt.date | None, int, int]:
    """The commitments in force in a history: (snapshot date, lines, øre after the horizon)."""
    snap = hist.snapshot(lf)
    c = hist.effective(lf.filter(pl.col("kind") == hist.COMMITMENT), snap)
    if snap.commitments_from is None:
        return None, 0, 0
    n, ore = c.select(pl.len(), (pl.col("amount") * 100).cast(pl.Int64).sum()).collect().row(0)
    return snap.commitments_from, int(n), int(ore or 0)


def _apply(
    base: Path | None,
    new: pl.LazyFrame,
    d: dt.date,
    target: Path,
    group,
    *,
    late: bool,
    metadata,
) -> SnapshotChange:
    """Apply one extract date's lines to the history ``base`` (None: none yet); write ``target``."""
    files = [rep.file for _, _, rep in group]
    is_c = pl.col("kind") == hist.COMMITMENT
    counts = new.select(actual=(~is_c).sum(), commitment=is_c.sum()).collect().row(0, named=True)
    change = SnapshotChange(
        d,
        files,
        actual_lines=int(counts["actual"]),
        commitment_lines=int(counts["commitment"]),
        commitments_cut=sum(rep.commitments_cut for _, _, rep in group),
        late=late,
    )
    sink = {"metadata": metadata} if metadata else {}
    if base is None:
        new.sink_parquet(target, **tio.PARQUET_OPTIONS, **sink)
        change.actual_added = change.actual_lines
        change.ore_added = int(new.filter(~is_c).select((pl.col("amount") * 100).cast(pl.Int64).sum()).collect().item() or 0)
        for _, _, rep in group:
            rep.already_present = 0
        change.after = _in_force(pl.scan_parquet(target))
        change.stale = change.commitment_lines == 0 and change.after[0] is not None and change.after[0] < d
        return change
    history = pl.scan_parquet(base)
    change.before = _in_force(history)
    fresh, known = _fresh_actual(history, new.filter(~is_c), match=late, scratch_dir=target.parent)
    change.actual_added = fresh.height
    change.ore_added = int((fresh["amount"] * 100).cast(pl.Int64).sum() or 0) if fresh.height else 0
    added = fresh.group_by("source_file").agg(pl.len()).rows() if fresh.height else []
    added_by_file = dict(added)
    for _, _, rep in group:
        rep.already_present = rep.rows_written - _count_commitments(group, rep) - int(added_by_file.get(rep.file, 0))
    kept = history
    if late and known is not None and known.len():
        # lines a late extract holds were known on its date: the history read as it stood then has them
        kept = (
            kept.with_row_index("_r")
            .with_columns(
                extract_date=pl.when(pl.col("_r").is_in(known.implode()) & (pl.col("extract_date") > d)).then(pl.lit(d)).otherwise(pl.col("extract_date"))
            )
            .drop("_r")
        )
    kept = kept.filter(~(is_c & (pl.col("extract_date") == d)))  # a re-import of the same date replaces its commitments
    out = pl.concat([kept, fresh.lazy(), new.filter(is_c)])
    out.sink_parquet(target, **tio.PARQUET_OPTIONS, **sink)
    change.after = _in_force(pl.scan_parquet(target))
    change.stale = change.commitment_lines == 0 and change.after[0] is not None and change.after[0] < d
    return change


def _count_commitments(group, rep: FileReport) -> int:
    for part, drop, r in group:
        if r is rep:
            return int(_lines(part, drop).filter(pl.col("kind") == hist.COMMITMENT).select(pl.len()).collect().item())
    return 0


def _content_digest(cols: list[str]) -> pl.Expr:
    """A 64-bit hash of a line's content: which partition it is compared in, and whether another
    line may hold the same content (equal hashes are then compared column by column)."""
    return pl.struct(cols).hash(seed=0)


def _fresh_actual(
    history: pl.LazyFrame, new_actual: pl.LazyFrame, match: bool = False, scratch_dir: Path | None = None
) -> tuple[pl.DataFrame, pl.Series | None]:
    """The actual lines of ``new_actual`` the history does not hold yet, matched on every content
    column by occurrence, in the extract's order; with ``match`` also the positions (row numbers
    in the history file) of the history's lines the extract holds.

    Partitioned by a hash of the content so that at most about PARTITION_ROWS lines of history
    and extract are in memory: one streaming pass writes both, split by the hash, to files in a
    scratch folder beside the output (``scratch_dir``), then each partition is read and
    compared. The history is read and hashed once, however many partitions."""
    import tempfile

    cols = list(CONTENT)
    old = history.with_row_index("_r").filter(pl.col("kind") != hist.COMMITMENT).select("_r", *cols)
    n_old = old.select(pl.len()).collect(engine="streaming").item()
    n_new = new_actual.select(pl.len()).collect(engine="streaming").item()
    parts = max(1, -(-(n_old + n_new) // PARTITION_ROWS))
    digest = _content_digest(cols).alias("_h")
    old, numbered = old.with_columns(digest), new_actual.with_row_index("_i").with_columns(digest)
    found, matched = [], []

    def numbered_copies(df: pl.DataFrame, order: str) -> pl.DataFrame:
        """``_occ``: which copy of its content a line is, counted in the file's order (the k-th copy
        in the extract matches the k-th in the history). A line whose hash no other line shares
        is the only copy; only the rest (repeated lines, and any two contents whose hashes
        collide) are numbered by their content, the dear window over every column."""
        df = df.sort(order)
        alone = pl.len().over("_h") == 1
        once = df.filter(alone).with_columns(_occ=pl.lit(0, pl.Int64))
        again = df.filter(~alone).with_columns(_occ=pl.int_range(pl.len()).over(cols).cast(pl.Int64))
        return pl.concat([once, again]).drop("_h")

    def compare(e: pl.DataFrame, n: pl.DataFrame) -> None:
        e, n = numbered_copies(e, "_r"), numbered_copies(n, "_i")
        found.append(n.join(e.drop("_r"), on=[*cols, "_occ"], how="anti", nulls_equal=True).drop("_occ"))
        if match:
            matched.append(e.join(n.select(*cols, "_occ"), on=[*cols, "_occ"], how="semi", nulls_equal=True)["_r"])

    if parts == 1:
        compare(old.collect(engine="streaming"), numbered.collect(engine="streaming"))
    else:
        with tempfile.TemporaryDirectory(dir=scratch_dir, prefix=".tariffkit-duplicates.") as tmp:
            key = (pl.col("_h") % parts).alias("_p")
            for name, lf in (("old", old), ("new", numbered)):
                lf.with_columns(key).sink_parquet(pl.PartitionBy(Path(tmp, name), key="_p", include_key=False), mkdir=True)

            def part(name: str, p: int, like: pl.LazyFrame) -> pl.DataFrame:
                folder = Path(tmp, name, f"_p={p}")
                if not folder.is_dir():  # no line fell in this partition
                    return like.clear().collect()
                return pl.scan_parquet(folder / "*.parquet").collect(engine="streaming")

            for p in range(parts):
                compare(part("old", p, old), part("new", p, numbered))
    fresh = pl.concat(found).sort("_i").drop("_i")
    return fresh.select(PAYMENTS.names), (pl.concat(matched) if matched else None)
