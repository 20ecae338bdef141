"""Benchmark harness: tariffkit commands as whole processes, against the same work in DuckDB and
pandas, the whole sample pipeline step by step, and a scaling run.

    make bench          # 100,000 citizens: comparisons, the pipeline, scaling at 1×, 4×, 16× (< 20 min)
    make bench-50x      # the scaling run at 50× and compute-haap on 104.8 M lines against DuckDB
    python bench/run.py --only compare --pairs 7

Every comparison is interleaved (A B, B A, …) and reports the median of the per-pair ratios;
each other engine's output is checked against tariffkit's first. Writes bench/RESULTS.md (the
hand-written notes below its marker are kept). DuckDB and pandas are benchmark-only extras
(pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PY = sys.executable
TK = [PY, "-m", "tariffkit"]

# The import query this benchmark used until 2026-11-23: the light cleaning a quick SQL script
# would do, with no checks (a bad value becomes null or an error), the CPR number kept as it is.
# Kept for comparison.
DUCKDB_IMPORT = r"""
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads TO 2")
con.execute('''
COPY (
  SELECT "CPR-nr." AS cpr, "Sagsnr." AS case_id, "Sagsbehandler" AS caseworker, "Tilbudsnr." AS offer_id,
         "Tilbud" AS offer_name, CASE "Leverandørtype" WHEN 'Intern' THEN 'internal' ELSE 'external' END AS provider,
         'SEL ' || regexp_extract("Paragraf", '(\d+)', 1) AS paragraph, "Funktion" AS function,
         CAST("Funktionsniveau" AS SMALLINT) AS level,
         strptime("Periode fra", '%d-%m-%Y')::DATE AS service_from, strptime("Periode til", '%d-%m-%Y')::DATE AS service_to,
         CAST(replace(replace("Beløb", '.', ''), ',', '.') AS DECIMAL(18,2)) AS amount,
         CASE "Type" WHEN 'Forbrug' THEN 'actual' ELSE 'commitment' END AS kind
  FROM read_csv(?, delim=';', header=true, all_varchar=true)
) TO '/dev/null' (FORMAT parquet)
'''.replace("?", repr(sys.argv[1])).replace("'/dev/null'", repr(sys.argv[2])))
"""

# The same parsing and checks as import-dss, in SQL: Danish amounts with a regex check and a
# sign in front or behind, three date formats, paragraph and function normalised (once per
# distinct value, joined back), CPR numbers checked (10 digits, DDMM a date, day + 60) and
# replaced by a keyed SHA-256 once per distinct number (DuckDB has no HMAC), value maps, level
# range, every required field; good rows to Parquet, bad rows counted and summed. It still does
# less than import-dss: no line numbers, no reasons per rejected row, no duplicate check.
DUCKDB_IMPORT_SAME = r"""
import duckdb, sys, time
con = duckdb.connect()
con.execute("SET threads TO 2")
src, out, key = sys.argv[1], sys.argv[2], sys.argv[3]  # key: TARIFFKIT_KEY
con.execute("CREATE TEMP TABLE raw AS SELECT * FROM read_csv(?, delim=';', header=true, all_varchar=true)", [src])
# low-cardinality columns parsed once per distinct value, as tariffkit does
con.execute(r'''
CREATE TEMP TABLE par AS
SELECT v, CASE WHEN regexp_matches(upper(t), '^(ABL|ALMENBOLIG)') THEN 'ABL'
               WHEN regexp_matches(upper(t), '^(SUL|SUNDHEDSLOV)') THEN 'SUL'
               WHEN regexp_matches(upper(t), '^(SEL|SERVICELOV|§|[0-9])') THEN 'SEL' END
          || ' ' || nullif(lower(regexp_replace(regexp_extract(t, '§?\s*(\d+\s*[a-zA-Z]?)\s*(?:,.*)?$', 1), '\s', '', 'g')), '') AS paragraph
FROM (SELECT DISTINCT "Paragraf" AS v, trim("Paragraf") AS t FROM raw)''')
con.execute(r'''
CREATE TEMP TABLE fun AS
SELECT v, coalesce(nullif(regexp_extract(t, '^(\d)\.(\d{2})\.(\d{2})', 0), ''),
                   CASE WHEN regexp_full_match(d, '\d{5,10}') THEN substr(d, 1, 1) || '.' || substr(d, 2, 2) || '.' || substr(d, 4, 2) END) AS function
FROM (SELECT v, t, regexp_replace(t, '[\s.\-]', '', 'g') AS d FROM (SELECT DISTINCT "Funktion" AS v, trim("Funktion") AS t FROM raw))''')
con.execute(r'''
CREATE TEMP TABLE ids AS
SELECT v, CASE WHEN regexp_full_match(d, '\d{10}')
        AND try_strptime('2000-' || substr(d, 3, 2) || '-' ||
              lpad(CAST(CAST(substr(d, 1, 2) AS INT) - CASE WHEN CAST(substr(d, 1, 2) AS INT) > 60 THEN 60 ELSE 0 END AS VARCHAR), 2, '0'),
              '%Y-%m-%d') IS NOT NULL THEN left(sha256(? || d), 16) END AS citizen_id
FROM (SELECT v, regexp_replace(v, '[\s-]', '', 'g') AS d FROM (SELECT DISTINCT "CPR-nr." AS v FROM raw))''', [key])
con.execute(r'''
CREATE TEMP TABLE checked AS
WITH p AS (
SELECT
  ids.citizen_id,
  nullif(trim("Sagsnr."), '') AS case_id, nullif(trim("Sagsbehandler"), '') AS caseworker,
  nullif(trim("Tilbudsnr."), '') AS offer_id, nullif(trim("Tilbud"), '') AS offer_name,
  CASE trim("Leverandørtype") WHEN 'Intern' THEN 'internal' WHEN 'Ekstern' THEN 'external' END AS provider,
  par.paragraph, fun.function,
  TRY_CAST(trim("Funktionsniveau") AS SMALLINT) AS level,
  coalesce(try_strptime(trim("Periode fra"), '%d-%m-%Y'), try_strptime(trim("Periode fra"), '%d.%m.%Y'), try_strptime(trim("Periode fra"), '%Y-%m-%d'))::DATE AS service_from,
  coalesce(try_strptime(trim("Periode til"), '%d-%m-%Y'), try_strptime(trim("Periode til"), '%d.%m.%Y'), try_strptime(trim("Periode til"), '%Y-%m-%d'))::DATE AS service_to,
  CASE WHEN regexp_full_match(trim("Beløb"), '[+-]?\s*(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d{1,2})?\s*-?')
       THEN TRY_CAST(replace(replace(regexp_replace(trim("Beløb"), '[\s+-]', '', 'g'), '.', ''), ',', '.') AS DECIMAL(18,2))
            * CASE WHEN contains("Beløb", '-') THEN -1 ELSE 1 END END AS amount,
  CASE trim("Type") WHEN 'Forbrug' THEN 'actual' WHEN 'Disposition' THEN 'commitment' END AS kind
FROM raw LEFT JOIN ids ON raw."CPR-nr." = ids.v LEFT JOIN par ON raw."Paragraf" = par.v LEFT JOIN fun ON raw."Funktion" = fun.v)
SELECT *, (citizen_id IS NULL OR case_id IS NULL OR caseworker IS NULL OR offer_id IS NULL OR offer_name IS NULL
           OR provider IS NULL OR paragraph IS NULL OR function IS NULL OR (level IS NOT NULL AND level NOT BETWEEN 1 AND 5)
           OR service_from IS NULL OR service_to IS NULL OR service_from > service_to OR amount IS NULL OR kind IS NULL) AS bad
FROM p''')
con.execute(f"COPY (SELECT * EXCLUDE (bad) FROM checked WHERE NOT bad) TO {out!r} (FORMAT parquet)")
con.execute("SELECT count(*), sum(amount), count(*) FILTER (bad), sum(amount) FILTER (bad) FROM checked").fetchall()  # reconciliation
"""

# The harness checks that DuckDB's payments are tariffkit's: the same lines with the same
# values in every column but the pseudonym, which must split the lines into the same citizens.
SAME_PAYMENTS = r"""
import sys, polars as pl
from polars.testing import assert_frame_equal
ours, theirs = pl.read_parquet(sys.argv[1]), pl.read_parquet(sys.argv[2])
cols = [c for c in theirs.columns if c != "citizen_id"]
order = ["case_id", "offer_id", "service_from", "service_to", "amount", "kind", "level", "paragraph", "function", "caseworker", "offer_name", "provider"]
a = ours.select(theirs.columns).sort(order)
b = theirs.cast(a.schema).sort(order)
assert_frame_equal(a.select(cols), b.select(cols))
pairs = pl.DataFrame({"x": a["citizen_id"], "y": b["citizen_id"]}).unique()
assert pairs.height == a["citizen_id"].n_unique() == b["citizen_id"].n_unique(), "pseudonyms split the lines differently"
"""

# The harness checks that another engine's table is tariffkit's, value for value.
SAME_TABLE = r"""
import sys, polars as pl
ours, theirs = pl.read_parquet(sys.argv[1]), pl.read_parquet(sys.argv[2])
theirs = theirs.cast(ours.schema)
assert ours.columns == theirs.columns and ours.height == theirs.height, (ours.shape, theirs.shape)
assert ours.equals(theirs), "the tables differ"
"""


def run(cmd: list[str], env=None, cwd=None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{err}")
    return wall, usage.ru_maxrss / 1024


@dataclass
class Timing:
    runs: list[tuple[float, float]]

    @property
    def median(self) -> float:
        return statistics.median(r[0] for r in self.runs)

    @property
    def peak(self) -> float:
        return max(r[1] for r in self.runs)

    def cell(self) -> str:
        lo, hi = min(r[0] for r in self.runs), max(r[0] for r in self.runs)
        return f"{self.median:.2f} s ({lo:.2f}–{hi:.2f}) / {self.peak:,.0f} MB"


@dataclass
class Pair:
    """A and B run alternately (A B, B A, A B, …): ``ratio`` is the median of the per-pair ratios
    A / B (A is tariffkit), so drift in the machine's speed cancels out of it."""

    a: Timing
    b: Timing

    @property
    def ratio(self) -> float:
        return statistics.median(a[0] / b[0] for a, b in zip(self.a.runs, self.b.runs))


def bench(name, cmd, repeat, env=None, cwd=None) -> Timing:
    t = Timing([run(cmd, env, cwd) for _ in range(repeat)])
    print(f"  {name:44s} {t.cell()}", flush=True)
    return t


def paired(name_a, cmd_a, name_b, cmd_b, pairs, env=None) -> Pair:
    ra, rb = [], []
    for i in range(pairs):
        if i % 2 == 0:
            ra.append(run(cmd_a, env)), rb.append(run(cmd_b, env))
        else:
            rb.append(run(cmd_b, env)), ra.append(run(cmd_a, env))
    p = Pair(Timing(ra), Timing(rb))
    print(f"  {name_a:44s} {p.a.cell()}\n  {name_b:44s} {p.b.cell()}   A / B {p.ratio:.2f}× ({pairs} pairs)", flush=True)
    return p


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--citizens", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=5, help="Interleaved pairs per comparison (at least 5 for the record).")
    ap.add_argument("--repeat", type=int, default=3, help="Runs per size in the scaling run and for the single timings.")
    ap.add_argument("--scaling", metavar="N,N", default="1,4,16", help="Scaling run at these multiples of the sample (default 1,4,16; make bench-50x runs 50).")
    ap.add_argument("--only", choices=["compare", "pipeline", "scaling", "national"], action="append", help="Run only these parts (repeatable).")
    ap.add_argument("--results", metavar="FILE", default=str(HERE / "RESULTS.md"), help="Where to write the results (default bench/RESULTS.md).")
    ap.add_argument("--make-schedules", metavar="DIR", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.make_schedules:
        schedules_1_5m(Path(a.make_schedules))
        return
    parts = set(a.only or ["compare", "pipeline", "scaling"])
    DATA.mkdir(exist_ok=True)
    d = DATA / f"c{a.citizens}"
    env = {**os.environ, "TARIFFKIT_KEY": "bench-key-0123456789abcdef"}
    started, load_before = time.perf_counter(), load()
    if not (d / "dss-udtraek-2026-09.csv").exists():
        t = time.perf_counter()
        subprocess.run([*TK, "sample", "--out", str(d), "--citizens", str(a.citizens)], check=True)
        print(f"sample --citizens {a.citizens}: {time.perf_counter() - t:.1f} s")
    csv = d / "dss-udtraek-2026-09.csv"
    lines = count_lines(csv)
    print(f"{a.citizens} citizens, {lines:,} DSS lines; load {load_before}")
    res: dict = {}
    if "compare" in parts:
        res.update(compare(a, d, csv, env))
    if "pipeline" in parts:
        res["pipeline"] = pipeline(d, env)
    if "scaling" in parts or "national" in parts:
        sizes = [int(x) for x in a.scaling.split(",")] if "scaling" in parts else []
        res["scaling"] = scaling(d, csv, sizes, a.repeat, env)
        if "national" in parts:
            res["national"] = national(d, a.pairs, env)
    res["load"] = (load_before, load())
    res["minutes"] = (time.perf_counter() - started) / 60
    write_results(a, lines, res)


def count_lines(csv: Path) -> int:
    with open(csv, "rb") as f:
        return sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 24), b"")) - 1


def compare(a, d: Path, csv: Path, env) -> dict:
    """tariffkit against DuckDB and pandas doing the same work, in interleaved pairs; each
    other engine's result is checked against tariffkit's before it is timed."""
    pay, n = d / "payments.parquet", a.pairs
    res = {}
    imp = [*TK, "import-dss", str(csv), "-o", str(pay)]
    res["import"] = paired(
        "tariffkit import-dss",
        imp,
        "duckdb, same parsing and checks",
        [PY, "-c", DUCKDB_IMPORT_SAME, str(csv), str(d / "duck.parquet"), env["TARIFFKIT_KEY"]],
        n,
        env,
    )
    subprocess.run([PY, "-c", SAME_PAYMENTS, str(pay), str(d / "duck.parquet")], check=True)
    res["import_light"] = paired(
        "tariffkit import-dss", imp, "duckdb, light cleaning, no checks", [PY, "-c", DUCKDB_IMPORT, str(csv), str(d / "duck-light.parquet")], n, env
    )
    haap = [*TK, "compute-haap", str(pay), "--year", "2026", "--by", "offer_id,level", "--monthly", "-o", str(d / "haap.parquet")]
    res["haap"] = paired(
        "tariffkit compute-haap offer×level×month",
        haap,
        "duckdb SQL, same table",
        [PY, str(HERE / "duckdb_haap.py"), str(pay), str(d / "duck-haap.parquet")],
        n,
        env,
    )
    subprocess.run([PY, "-c", SAME_TABLE, str(d / "haap.parquet"), str(d / "duck-haap.parquet")], check=True)
    res["haap_pandas"] = paired(
        "tariffkit compute-haap offer×level×month",
        haap,
        "pandas (vectorised), same table",
        [PY, str(HERE / "pandas_haap.py"), str(pay), str(d / "pandas-haap.parquet")],
        n,
        env,
    )
    subprocess.run([PY, "-c", SAME_TABLE, str(d / "haap.parquet"), str(d / "pandas-haap.parquet")], check=True)
    # Built in a child process: the parent stays small, so the children's peak RSS (which on
    # Linux includes the forked copy of the parent before exec) is their own.
    subprocess.run([PY, __file__, "--make-schedules", str(d)], check=True)
    sched, tariffs = d / "doegnskemaer-1.5m.csv", d / "tariffs-common.parquet"
    res["reassign"] = bench(
        "tariffkit reassign 1.5M schedule lines",
        [*TK, "reassign", str(sched), "--structure", str(d / "levels.toml"), "--tariffs", str(tariffs), "-o", str(d / "reassign.parquet")],
        a.repeat,
        env,
    )
    res["help"] = bench("tariffkit --help", [*TK, "--help"], 5)
    return res


def pipeline(d: Path, env) -> dict:
    """The whole `make demo` pipeline (sample-data/Makefile) on this data, every step timed: each
    tariffkit call goes through bench/step.py, which records its wall time and peak memory."""
    import json
    import shutil

    shutil.copy(HERE.parent / "sample-data" / "Makefile", d / "Makefile")
    shutil.rmtree(d / "out", ignore_errors=True)
    log = d / "steps.jsonl"
    log.unlink(missing_ok=True)
    step = f"{PY} {HERE / 'step.py'}"
    t = time.perf_counter()
    p = subprocess.run(
        ["make", "-s", "-C", str(d), f"TARIFFKIT={step}"], env={**env, "TARIFFKIT_BENCH_LOG": str(log)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    wall = time.perf_counter() - t
    if p.returncode:
        raise SystemExit(f"make demo failed on {d}:\n{p.stderr.decode(errors='replace')[-3000:]}")
    steps = [json.loads(x) for x in log.read_text().splitlines()]
    print(f"  make demo pipeline: {wall:.1f} s, {len(steps)} tariffkit steps, {sum(s['wall'] for s in steps):.1f} s in them", flush=True)
    return {"wall": wall, "steps": steps}


def replicate(csv: Path, m: int, out: Path) -> None:
    """The DSS extract m times over, each copy with its own citizens (the CPR number's serial
    moved by the copy's number), written as one CSV."""
    import polars as pl

    if out.exists():
        return
    lf = pl.scan_csv(csv, separator=";", infer_schema=False, encoding="utf8")
    cpr = pl.col("CPR-nr.")
    copies = [lf.with_columns(cpr.str.slice(0, 7) + ((cpr.str.slice(7, 4).cast(pl.Int32) + r * 173) % 10000).cast(pl.String).str.zfill(4)) for r in range(m)]
    tmp = out.with_suffix(".tmp")
    pl.concat(copies).sink_csv(tmp, separator=";")
    tmp.rename(out)


def scaling(d: Path, csv: Path, sizes: list[int], repeat: int, env) -> list[dict]:
    """import-dss and compute-haap at each multiple of the sample: median, range and peak memory
    of ``repeat`` runs."""
    rows = []
    for m in sizes:
        src = csv if m == 1 else d / f"dss-{m}x.csv"
        if m > 1:
            t = time.perf_counter()
            replicate(csv, m, src)
            print(f"  ({m}× extract written in {time.perf_counter() - t:.0f} s)", flush=True)
        n = count_lines(src)
        pay = d / f"payments-{m}x.parquet"
        imp = bench(f"import-dss {m}× ({n:,} lines)", [*TK, "import-dss", str(src), "-o", str(pay)], repeat, env)
        hp = bench(
            f"compute-haap {m}×",
            [*TK, "compute-haap", str(pay), "--year", "2026", "--by", "offer_id,level", "--monthly", "-o", str(d / f"haap-{m}x.parquet")],
            repeat,
            env,
        )
        rows.append({"m": m, "lines": n, "import": imp, "haap": hp})
        if m > 1:
            src.unlink()  # (a 50× extract is 14 GB)
    return rows


def national(d: Path, pairs: int, env) -> dict:
    """compute-haap on a national-scale history (104.8 M lines: the sample's payments 58 times,
    each copy with its own citizens and moved back 0–9 years, so a year touches a few per cent
    of the lines) against DuckDB's same table with a 4 GB memory limit, in interleaved pairs."""
    import polars as pl

    big = d / "payments-national.parquet"
    if not big.exists():
        if not (d / "payments.parquet").exists():
            subprocess.run([*TK, "import-dss", str(d / "dss-udtraek-2026-09.csv"), "-o", str(d / "payments.parquet")], env=env, check=True)
        lf = pl.scan_parquet(d / "payments.parquet")
        copies = [
            lf.with_columns(
                citizen_id=pl.col("citizen_id").str.slice(0, 14) + pl.lit(f"{j:02x}"),
                service_from=pl.col("service_from").dt.offset_by(f"-{j % 10}y"),
                service_to=pl.col("service_to").dt.offset_by(f"-{j % 10}y"),
            )
            for j in range(58)
        ]
        pl.concat(copies).sink_parquet(big, compression="zstd", statistics=True, row_group_size=262_144)
    n = pl.scan_parquet(big).select(pl.len()).collect().item()
    ours = [*TK, "compute-haap", str(big), "--year", "2026", "--by", "offer_id,level", "--monthly", "-o", str(d / "haap-national.parquet")]
    duck = [PY, str(HERE / "duckdb_haap.py"), str(big), str(d / "duck-national.parquet"), "4GB"]
    p = paired(f"tariffkit compute-haap, {n:,} lines", ours, "duckdb SQL, same table, 4 GB limit", duck, pairs, env)
    subprocess.run([PY, "-c", SAME_TABLE, str(d / "haap-national.parquet"), str(d / "duck-national.parquet")], check=True)
    return {"lines": n, "pair": p}


def schedules_1_5m(d: Path) -> tuple[Path, Path]:
    """1.5 million schedule lines for 100,000 citizens (about 15 lines each), built from the
    sample's schedules (each schedule twice, the copy 12 hours later; the population three
    times with new replacement-form CPR numbers), and a common tariff set."""
    import polars as pl

    out, tar = d / "doegnskemaer-1.5m.csv", d / "tariffs-common.parquet"
    if out.exists() and tar.exists():
        return out, tar
    s = pl.read_csv(d / "doegnskemaer.csv", separator=";", infer_schema=False)
    hh = pl.col("Starttidspunkt").str.slice(0, 2).cast(pl.Int32)
    evening = s.with_columns(((hh + 12) % 24).cast(pl.String).str.zfill(2) + pl.col("Starttidspunkt").str.slice(2))
    two = pl.concat([s, evening])
    new_cpr = lambda r: pl.col("CPR-nr.").str.slice(0, 7) + ((pl.col("CPR-nr.").str.slice(7, 4).cast(pl.Int32) + r) % 10000).cast(pl.String).str.zfill(4)  # noqa: E731
    x = pl.concat([two.with_columns(new_cpr(r)) for r in range(3)])
    keep = x["CPR-nr."].unique(maintain_order=True).head(100_000)
    x.filter(pl.col("CPR-nr.").is_in(keep.implode())).head(1_500_000).write_csv(out, separator=";")
    levels = [(1, 0, 9), (2, 9, 15), (3, 15, 22), (4, 22, 30), (5, 30, None)]
    from decimal import Decimal

    pl.DataFrame(
        {
            "offer_id": "*",
            "year": 2026,
            "tariff_kind": "level",
            "level": [lv for lv, _, _ in levels],
            "min_hours": [float(a) for _, a, _ in levels],
            "max_hours": [None if b is None else float(b) for _, _, b in levels],
            "hours": 1.0,
            "annual_tariff": [Decimal(300_000 + 150_000 * lv) for lv, _, _ in levels],
            "monthly_tariff": Decimal(0),
            "daily_tariff": Decimal(0),
            "fixed_part": Decimal(0),
            "ata_part": Decimal(0),
            "price_per_weekly_hour": Decimal(25_000),
        }
    ).with_columns(
        pl.col("level").cast(pl.Int16),
        pl.col("year").cast(pl.Int32),
        *[pl.col(c).cast(pl.Decimal(18, 2)) for c in ("annual_tariff", "monthly_tariff", "daily_tariff", "fixed_part", "ata_part", "price_per_weekly_hour")],
    ).write_parquet(tar)
    return out, tar


MARKER = "<!-- Everything below this line is written by hand and kept when bench/run.py rewrites the file. -->"


def step_label(args: list[str]) -> str:
    """``compute-haap → haap-2026.parquet``: the command (with its subcommand) and what it writes."""
    while args and args[0].startswith("-"):  # tariffkit's own options before the command
        args = args[2:] if args[0] in ("--set", "--config") else args[1:]
    words = [args[0]] + ([args[1]] if len(args) > 1 and not args[1].startswith("-") and "." not in args[1] and "/" not in args[1] else [])
    out = next((args[i + 1] for i, x in enumerate(args[:-1]) if x in ("-o", "--output")), None)
    return " ".join(words) + (f" → {Path(out).name}" if out else "")


def write_results(a, lines, res) -> None:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    title = "Benchmark results" if "import" in res or "pipeline" in res else "Scaling and national scale"
    out = [
        f"# {title}",
        "",
        f"Machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        f"Date: {dt.date.today()}. Data: `tariffkit sample --citizens {a.citizens}` ({lines:,} DSS lines).",
        f"Load average (1 / 5 / 15 min) before the run {res['load'][0]}, after {res['load'][1]}; the harness took {res['minutes']:.1f} min.",
        "Times are whole processes: median (range) of the runs and the peak memory (max RSS).",
        "",
    ]
    if "import" in res:
        rows = [
            ("DSS CSV → Parquet, DuckDB with the same parsing and checks", "import", "≤ 1.2×"),
            ("DSS CSV → Parquet, DuckDB's light cleaning without checks", "import_light", "for comparison"),
            ("HÅP offer × level × month, DuckDB SQL, the same table", "haap", "≤ 1.0×"),
            ("HÅP offer × level × month, vectorised pandas, the same table", "haap_pandas", "for comparison"),
        ]
        out += [
            "## tariffkit against other engines",
            "",
            f"Interleaved pairs (A B, B A, …; {a.pairs} pairs); the ratio is the median of the per-pair ratios tariffkit / other, "
            "so a drift in the machine's speed cancels out. Each other engine's output is checked against tariffkit's "
            "(the same lines in every column but the pseudonym; the same HÅP table value for value) before it counts.",
            "",
            "| work | tariffkit | other | ratio tariffkit / other | target |",
            "|---|---|---|---|---|",
        ]
        for label, key, target in rows:
            p = res[key]
            out.append(f"| {label} | {p.a.cell()} | {p.b.cell()} | {p.ratio:.2f}× | {target} |")
        out += [
            "",
            "| single timings | tariffkit | target |",
            "|---|---|---|",
            f"| reassign, 1.5 M schedule lines (100,000 citizens) | {res['reassign'].cell()} | < 3 s |",
            f"| `tariffkit --help` | {res['help'].cell()} | < 0.3 s |",
            "",
        ]
    if "pipeline" in res:
        pipe = res["pipeline"]
        steps = pipe["steps"]
        inside = sum(s["wall"] for s in steps)
        out += [
            "## The whole pipeline, step by step",
            "",
            f"`make demo`'s Makefile (sample-data/Makefile) on this data: **{pipe['wall']:.1f} s** wall in all (target ≤ 20 s), "
            f"{len(steps)} tariffkit steps taking {inside:.1f} s, peak {max(s['mb'] for s in steps):,} MB. One run; each "
            "step timed by bench/step.py.",
            "",
            "| step | time | peak memory |",
            "|---|---|---|",
        ]
        for s_ in sorted(steps, key=lambda s: -s["wall"]):
            out.append(f"| `{step_label(s_['args'])}` | {s_['wall']:.2f} s | {s_['mb']:,} MB |")
        out.append("")
    if res.get("scaling"):
        rows = res["scaling"]
        base = rows[0]
        out += [
            "## Scaling",
            "",
            f"import-dss and compute-haap (2026 by offer, level and month) at multiples of the sample's extract (each copy its own "
            f"citizens); {a.repeat} runs per size. *Marginal* = seconds per million lines above the smallest size, so the fixed "
            "start-up does not flatter the growth; memory is the peak of the runs.",
            "",
            "| size | DSS lines | import-dss | marginal s / M lines | compute-haap | marginal s / M lines |",
            "|---|---|---|---|---|---|",
        ]
        for r in rows:
            dm = (r["lines"] - base["lines"]) / 1e6
            mi = f"{(r['import'].median - base['import'].median) / dm:.2f}" if dm else "–"
            mh = f"{(r['haap'].median - base['haap'].median) / dm:.3f}" if dm else "–"
            out.append(f"| {r['m']}× | {r['lines']:,} | {r['import'].cell()} | {mi} | {r['haap'].cell()} | {mh} |")
        out.append("")
    if "national" in res:
        n = res["national"]
        p = n["pair"]
        out += [
            "## National scale",
            "",
            f"compute-haap on {n['lines']:,} payment lines (a ten-year history, see `national` in bench/run.py) against DuckDB's "
            f"same table with a 4 GB memory limit, {len(p.a.runs)} interleaved pairs:",
            "",
            "| | time | peak memory |",
            "|---|---|---|",
            f"| tariffkit compute-haap (target ≤ 3 GB, faster than DuckDB) | {p.a.cell()} | |",
            f"| DuckDB, 4 GB limit | {p.b.cell()} | |",
            f"| ratio tariffkit / DuckDB | {p.ratio:.2f}× | |",
            "",
        ]
    target = Path(a.results)
    old = target.read_text(encoding="utf-8") if target.exists() else ""
    out += [MARKER, "", old[old.index(MARKER) + len(MARKER) :].lstrip("\n") if MARKER in old else ""]
    target.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
