"""Benchmark harness: tariffkit commands as whole processes vs the same work in DuckDB and pandas.

    make bench                       # 100,000 citizens
    python bench/run.py --citizens 20000 --repeat 3

Reports median wall time and peak memory (max RSS of the process) and writes bench/RESULTS.md.
DuckDB and pandas are benchmark-only extras (pip install -e '.[bench]').
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

DUCKDB_HAAP = r"""
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads TO 2")
q = '''
COPY (
WITH l AS (
  SELECT citizen_id, offer_id, level, service_from, service_to, CAST(amount * 100 AS BIGINT) AS ore,
         date_diff('day', service_from, service_to) + 1 AS total,
         date_trunc('month', service_from)::DATE AS m_from, date_trunc('month', service_to)::DATE AS m_to
  FROM read_parquet(?) WHERE service_to >= DATE '2025-12-01' AND service_from <= DATE '2026-12-31'),
one AS (SELECT citizen_id, offer_id, level, m_from AS month, ore AS part FROM l WHERE m_from = m_to),
many AS (
  SELECT row_number() OVER () AS line, * FROM l WHERE m_from <> m_to),
spread AS (
  SELECT line, citizen_id, offer_id, level, month, ore, m_to,
         sign(ore) * (abs(ore) * (date_diff('day', greatest(month, service_from), least(last_day(month), service_to)) + 1) // total) AS share
  FROM (SELECT *, unnest(generate_series(m_from, m_to, INTERVAL 1 MONTH))::DATE AS month FROM many)),
parts AS (
  SELECT * FROM one
  UNION ALL
  SELECT citizen_id, offer_id, level, month,
         CASE WHEN month = m_to THEN ore - (sum(share) OVER (PARTITION BY line) - share) ELSE share END
  FROM spread),
net AS (
  SELECT citizen_id, offer_id, level, month, sum(part) AS net FROM parts
  WHERE month BETWEEN DATE '2025-12-01' AND DATE '2026-12-01' GROUP BY ALL),
a AS (
  SELECT offer_id, level, month,
         lag(month) OVER w AS prv, lead(month) OVER w AS nxt
  FROM net WHERE net > 0 WINDOW w AS (PARTITION BY citizen_id, offer_id, level ORDER BY month)),
inf AS (
  SELECT offer_id, level, month, count(*) AS citizens,
         count(*) FILTER (WHERE prv IS NULL OR prv <> month - INTERVAL 1 MONTH) AS inflow
  FROM a WHERE month >= DATE '2026-01-01' GROUP BY ALL),
outf AS (
  SELECT offer_id, level, (month + INTERVAL 1 MONTH)::DATE AS month, count(*) AS outflow
  FROM a WHERE (nxt IS NULL OR nxt <> month + INTERVAL 1 MONTH) AND month < DATE '2026-12-01' GROUP BY ALL),
exp AS (
  SELECT offer_id, level, month, sum(net) AS ore FROM net WHERE month >= DATE '2026-01-01' GROUP BY ALL)
SELECT e.offer_id, e.level, strftime(e.month, '%Y-%m') AS period, coalesce(i.citizens, 0) AS citizens,
       coalesce(i.citizens, 0)::DOUBLE AS haap, (e.ore::DECIMAL(38, 0) / 100)::DECIMAL(18, 2) AS expense,
       CASE WHEN i.citizens > 0 THEN ((2 * abs(e.ore) + i.citizens) // (2 * i.citizens) * sign(e.ore))::DECIMAL(38, 0) / 100 END::DECIMAL(18, 2) AS average_price,
       coalesce(i.inflow, 0) AS inflow, coalesce(o.outflow, 0) AS outflow
FROM exp e
LEFT JOIN inf i ON i.offer_id = e.offer_id AND i.level IS NOT DISTINCT FROM e.level AND i.month = e.month
LEFT JOIN outf o ON o.offer_id = e.offer_id AND o.level IS NOT DISTINCT FROM e.level AND o.month = e.month
ORDER BY e.offer_id, e.level NULLS LAST, period
) TO ? (FORMAT parquet)
'''
con.execute(q.replace("read_parquet(?)", f"read_parquet({sys.argv[1]!r})").replace("TO ?", f"TO {sys.argv[2]!r}"))
"""

# The query this benchmark used until 2026-11-23: active citizens and øre per group and month
# only (no inflow/outflow, no residue to the last month, no output file). Kept for comparison.
DUCKDB_HAAP_COUNTS = r"""
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads TO 2")
q = '''
WITH l AS (
  SELECT citizen_id, offer_id, level, service_from, service_to, CAST(amount * 100 AS BIGINT) AS ore,
         date_diff('day', service_from, service_to) + 1 AS total
  FROM read_parquet(?) WHERE service_to >= DATE '2025-12-01' AND service_from <= DATE '2026-12-31'),
m AS (
  SELECT l.*, unnest(generate_series(date_trunc('month', service_from), date_trunc('month', service_to), INTERVAL 1 MONTH))::DATE AS month FROM l),
d AS (
  SELECT *, date_diff('day', greatest(month, service_from), least(last_day(month), service_to)) + 1 AS days FROM m),
s AS (
  SELECT citizen_id, offer_id, level, month, sum(ore * days // total) AS net FROM d GROUP BY ALL)
SELECT offer_id, level, month, count(*) FILTER (WHERE net > 0) AS citizens, sum(net) AS ore
FROM s WHERE month BETWEEN DATE '2026-01-01' AND DATE '2026-12-01' GROUP BY ALL ORDER BY ALL
'''
con.execute(q.replace("?", repr(sys.argv[1]))).fetchall()
"""

# The harness checks that DuckDB's table is tariffkit's, value for value.
SAME_TABLE = r"""
import sys, polars as pl
from polars.testing import assert_frame_equal
ours, theirs = pl.read_parquet(sys.argv[1]), pl.read_parquet(sys.argv[2])
assert_frame_equal(ours, theirs.cast(ours.schema))
"""

PANDAS_HAAP = r"""
import pandas as pd, sys
df = pd.read_parquet(sys.argv[1], columns=["citizen_id", "offer_id", "level", "service_from", "service_to", "amount"])
df = df[(df.service_to >= pd.Timestamp("2025-12-01").date()) & (df.service_from <= pd.Timestamp("2026-12-31").date())].copy()
df["service_from"] = pd.to_datetime(df.service_from); df["service_to"] = pd.to_datetime(df.service_to)
df["ore"] = (df.amount.astype(float) * 100).round().astype("int64")
df["total"] = (df.service_to - df.service_from).dt.days + 1
rows = []
for r in df.itertuples(index=False):
    for month in pd.period_range(r.service_from, r.service_to, freq="M"):
        start = max(month.start_time, r.service_from); end = min(month.end_time.normalize(), r.service_to)
        rows.append((r.citizen_id, r.offer_id, r.level, month, r.ore * ((end - start).days + 1) // r.total))
m = pd.DataFrame(rows, columns=["citizen_id", "offer_id", "level", "month", "ore"])
s = m.groupby(["citizen_id", "offer_id", "level", "month"], dropna=False).ore.sum().reset_index()
s = s[(s.month >= pd.Period("2026-01", "M")) & (s.month <= pd.Period("2026-12", "M"))]
out = s.assign(active=s.ore > 0).groupby(["offer_id", "level", "month"], dropna=False).agg(citizens=("active", "sum"), ore=("ore", "sum"))
"""


def run(cmd: list[str], env=None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def bench(name, cmd, repeat, env=None):
    runs = [run(cmd, env) for _ in range(repeat)]
    wall = statistics.median(r[0] for r in runs)
    mem = max(r[1] for r in runs)
    print(f"  {name:38s} {wall:8.2f} s  {mem:8.0f} MB", flush=True)
    return wall, mem


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--citizens", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pandas", action="store_true", help="Skip the (slow) pandas comparison.")
    ap.add_argument("--make-schedules", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--scaling", metavar="N,N,N", help="Only the scaling run: import-dss and compute-haap at these citizen counts (e.g. 25000,100000,400000); results to bench/SCALING.md.")
    a = ap.parse_args()
    if a.make_schedules:
        schedules_1_5m(Path(a.make_schedules))
        return
    DATA.mkdir(exist_ok=True)
    d = DATA / f"c{a.citizens}"
    env = {**os.environ, "TARIFFKIT_KEY": "bench-key-0123456789abcdef"}
    if a.scaling:
        write_scaling(scaling([int(x) for x in a.scaling.split(",")], a.repeat, env), a.repeat)
        return
    if not (d / "dss-udtraek-2026-09.csv").exists():
        t = time.perf_counter()
        subprocess.run([*TK, "sample", "--out", str(d), "--citizens", str(a.citizens)], check=True)
        print(f"sample --citizens {a.citizens}: {time.perf_counter() - t:.1f} s")
    csv = d / "dss-udtraek-2026-09.csv"
    lines = sum(1 for _ in open(csv, "rb")) - 1
    pay = d / "payments.parquet"
    print(f"{a.citizens} citizens, {lines:,} DSS lines, median of {a.repeat}")
    res = {}
    res["import"] = bench("tariffkit import-dss", [*TK, "import-dss", str(csv), "-o", str(pay)], a.repeat, env)
    res["import_duckdb"] = bench("duckdb, same parsing and checks", [PY, "-c", DUCKDB_IMPORT_SAME, str(csv), str(d / "duck.parquet"), env["TARIFFKIT_KEY"]], a.repeat)
    subprocess.run([PY, "-c", SAME_PAYMENTS, str(pay), str(d / "duck.parquet")], check=True)
    res["import_duckdb_light"] = bench("duckdb, light cleaning, no checks", [PY, "-c", DUCKDB_IMPORT, str(csv), str(d / "duck-light.parquet")], a.repeat)
    res["haap"] = bench("tariffkit compute-haap offer×level×month", [*TK, "compute-haap", str(pay), "--year", "2026", "--by", "offer_id,level", "--monthly", "-o", str(d / "haap.parquet")], a.repeat)
    res["haap_duckdb"] = bench("duckdb SQL, same table", [PY, "-c", DUCKDB_HAAP, str(pay), str(d / "duck-haap.parquet")], a.repeat)
    subprocess.run([PY, "-c", SAME_TABLE, str(d / "haap.parquet"), str(d / "duck-haap.parquet")], check=True)
    res["haap_duckdb_counts"] = bench("duckdb SQL, counts and sums only", [PY, "-c", DUCKDB_HAAP_COUNTS, str(pay)], a.repeat)
    if not a.no_pandas:
        res["haap_pandas"] = bench("pandas, straightforward", [PY, "-c", PANDAS_HAAP, str(pay)], 1)
    # Built in a child process: the parent stays small, so the children's peak RSS (which on
    # Linux includes the forked copy of the parent before exec) is their own.
    subprocess.run([PY, __file__, "--make-schedules", str(d)], check=True)
    sched, tariffs = d / "doegnskemaer-1.5m.csv", d / "tariffs-common.parquet"
    res["reassign"] = bench("tariffkit reassign 1.5M schedule lines", [*TK, "reassign", str(sched), "--structure", str(d / "levels.toml"),
                                                                      "--tariffs", str(tariffs), "-o", str(d / "reassign.parquet")], a.repeat, env)
    res["pipeline"] = bench("monthly: import → HÅP → budget → portfolio → report", ["sh", "-c", monthly_pipeline(csv, d)], a.repeat, env)
    res["help"] = bench("tariffkit --help", [*TK, "--help"], 5)
    write_results(a, lines, res)


def monthly_pipeline(csv: Path, d: Path) -> str:
    """The monthly cron chain as one shell command: import the extract; HÅP per offer and level
    with the forecast; the HÅP history and forecast per paragraph; the authority budget from
    them; the quarter's portfolios; the HTML report with the budget."""
    tk = " ".join(TK)
    p = d / "p2.parquet"
    return " && ".join([
        f"{tk} import-dss {csv} -o {p}",
        f"{tk} compute-haap {p} --year 2026 --by offer_id,level --as-of 2026-09-30 -o {d / 'h2.parquet'}",
        f"{tk} compute-haap {p} --by paragraph -o {d / 'hist.parquet'}",
        f"{tk} compute-haap {p} --year 2026 --by paragraph --as-of 2026-09-30 -o {d / 'fc.parquet'}",
        f"{tk} budget-forecast --authority --year 2026 --haap {d / 'hist.parquet'} --forecast {d / 'fc.parquet'} -o {d / 'auth.parquet'}",
        f"{tk} portfolio {p} --quarter 2026Q3 -o {d / 'pf.parquet'}",
        f"{tk} report monthly {p} --as-of 2026-09-30 --budget {d / 'auth.parquet'} --save-figures {d / 'k.parquet'} -o {d / 'rapport.html'}",
    ])


def scaling(citizens: list[int], repeat: int, env) -> list[tuple]:
    """import-dss and compute-haap at each size: (citizens, lines, import s, MB, haap s, MB)."""
    rows = []
    for n in citizens:
        d = DATA / f"c{n}"
        if not (d / "dss-udtraek-2026-09.csv").exists():
            subprocess.run([*TK, "sample", "--out", str(d), "--citizens", str(n)], check=True)
        csv = d / "dss-udtraek-2026-09.csv"
        lines = sum(1 for _ in open(csv, "rb")) - 1
        imp = bench(f"import-dss {n}", [*TK, "import-dss", str(csv), "-o", str(d / "payments.parquet")], repeat, env)
        hp = bench(f"compute-haap {n}", [*TK, "compute-haap", str(d / "payments.parquet"), "--year", "2026", "--by", "offer_id,level", "--monthly", "-o", str(d / "haap.parquet")], repeat)
        rows.append((n, lines, *imp, *hp))
    return rows


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

    pl.DataFrame({
        "offer_id": "*", "year": 2026, "tariff_kind": "level", "level": [lv for lv, _, _ in levels],
        "min_hours": [float(a) for _, a, _ in levels], "max_hours": [None if b is None else float(b) for _, _, b in levels], "hours": 1.0,
        "annual_tariff": [Decimal(300_000 + 150_000 * lv) for lv, _, _ in levels], "monthly_tariff": Decimal(0), "daily_tariff": Decimal(0),
        "fixed_part": Decimal(0), "ata_part": Decimal(0), "price_per_weekly_hour": Decimal(25_000),
    }).with_columns(pl.col("level").cast(pl.Int16), pl.col("year").cast(pl.Int32),
                    *[pl.col(c).cast(pl.Decimal(18, 2)) for c in ("annual_tariff", "monthly_tariff", "daily_tariff", "fixed_part", "ata_part", "price_per_weekly_hour")]).write_parquet(tar)
    return out, tar


ANALYSIS = "## Targets met and not met"


def write_results(a, lines, res) -> None:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    r = lambda k: f"{res[k][0]:.2f} s / {res[k][1]:.0f} MB" if k in res else "not run"  # noqa: E731
    ratio = lambda x, y: f"{res[x][0] / res[y][0]:.2f}×" if x in res and y in res else "–"  # noqa: E731
    text = f"""# Benchmark results

Machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()} {platform.release()}.
Date: {dt.date.today()}. Data: `tariffkit sample --citizens {a.citizens}` ({lines:,} DSS lines).
Median wall time of {a.repeat} whole-process runs; peak memory = max RSS.

| work | tariffkit | DuckDB | pandas | ratio tariffkit / DuckDB | target |
|---|---|---|---|---|---|
| DSS CSV → Parquet | {r('import')} | {r('import_duckdb')} | – | {ratio('import', 'import_duckdb')} | ≤ 1.2×, < 3 GB |
| (DuckDB, light cleaning, no checks) | | {r('import_duckdb_light')} | | {ratio('import', 'import_duckdb_light')} | for comparison |
| HÅP offer × level × month | {r('haap')} | {r('haap_duckdb')} | {r('haap_pandas')} | {ratio('haap', 'haap_duckdb')} | ≤ 1.0×, ≥ 10× faster than pandas |
| (DuckDB, counts and sums only) | | {r('haap_duckdb_counts')} | | {ratio('haap', 'haap_duckdb_counts')} | for comparison |
| reassign, 1.5 M schedule lines (100,000 citizens) | {r('reassign')} | | | | < 3 s |
| monthly pipeline: import-dss → compute-haap ×3 → budget-forecast --authority → portfolio → report monthly | {r('pipeline')} | | | | < 60 s |
| `tariffkit --help` | {r('help')} | | | | < 0.3 s |

DuckDB's import parses and checks as `import-dss` does (regex-checked Danish amounts with the
sign in front or behind, three date formats, paragraph and function normalised, CPR numbers
checked and replaced by a keyed hash, value maps, level range, required fields) and writes the
good rows to Parquet; the harness checks that its lines equal tariffkit's in every column, and
that its pseudonyms group the lines into the same citizens. It still does less: a keyed SHA-256
instead of HMAC, no line numbers, no reason per rejected row, no duplicate check. The "light
cleaning" row is the query this benchmark used before 2026-11-23: no checks at all, the CPR
number written as it is, no minus behind, the first date format only.

DuckDB's HÅP query computes the same table as `compute-haap` (citizens, HÅP, expense, average
price, inflow, outflow per offer, level and month, written to Parquet); the harness checks that
the two tables are equal, value for value.
The "counts and sums only" row is the lighter query this benchmark used before 2026-11-23 (no
inflow/outflow, floor division without the residue, no output file), and the pandas version is
that lighter query too.
"""
    old = (HERE / "RESULTS.md").read_text(encoding="utf-8") if (HERE / "RESULTS.md").exists() else ""
    if ANALYSIS in old:  # the hand-written analysis below the table stays; update it by hand
        text += "\n" + old[old.index(ANALYSIS):]
    (HERE / "RESULTS.md").write_text(text, encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")


def write_scaling(rows, repeat) -> None:
    base = rows[0]
    lines = [
        "# Scaling",
        "",
        f"Date: {dt.date.today()}. {os.cpu_count()} cores. Median of {repeat} whole-process runs; peak memory = max RSS.",
        "Growth = time (or memory) relative to the smallest size, divided by the data's growth (1.00 = linear).",
        "",
        "| citizens | DSS lines | import-dss | growth | compute-haap (offer × level × month) | growth |",
        "|---|---|---|---|---|---|",
    ]
    for n, ln, it, im, ht, hm in rows:
        f = ln / base[1]
        lines.append(f"| {n:,} | {ln:,} | {it:.2f} s / {im:.0f} MB | {it / base[2] / f:.2f} time, {im / base[3] / f:.2f} memory | "
                     f"{ht:.2f} s / {hm:.0f} MB | {ht / base[4] / f:.2f} time, {hm / base[5] / f:.2f} memory |")
    (HERE / "SCALING.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'SCALING.md'}")


if __name__ == "__main__":
    main()
