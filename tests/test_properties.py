"""Property-based tests (hypothesis): the Danish parsers round trip, money reconciles, more
hours never give a lower level; and reproducibility and atomicity of whole runs."""

import datetime as dt
import re
import subprocess
import sys
import threading
from decimal import Decimal

import polars as pl
from conftest import HEADER, SAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffkit.danish import parse_date, parse_number
from tariffkit.sample import danish_amount
from tariffkit.schedules import level_expr
from tariffkit.tariffs import parse_structure

STRUCTURE = parse_structure(
    {"levels": [{"level": i + 1, "min_hours": a, "max_hours": b} for i, (a, b) in enumerate([(0, 9), (9, 15), (15, 22), (22, 30), (30, 40)])]}
)


@settings(max_examples=300)
@given(st.lists(st.integers(-(10**13), 10**13), min_size=1, max_size=50))
def test_danish_amounts_round_trip(ores):
    """øre → '1.234.567,89' / '-1.234,00' → parsed back, exactly."""
    s = pl.Series("o", ores, dtype=pl.Int64)
    text = pl.select(danish_amount(pl.lit(s)).alias("t"))["t"]
    back = pl.select(parse_number(pl.lit(text), dtype=pl.Decimal(18, 2)).alias("v"))["v"]
    assert [int(v * 100) for v in back] == ores


@settings(max_examples=200)
@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2), st.sampled_from(["lead", "trail"]))
def test_minus_sign_in_front_or_behind(x, where):
    body = f"{abs(x):,.2f}".replace(",", "§").replace(".", ",").replace("§", ".")
    text = (("-" + body) if where == "lead" else (body + "-")) if x < 0 else body
    assert pl.select(parse_number(pl.lit(text), dtype=pl.Decimal(18, 2))).item() == x


def reference_kroner(text: str) -> Decimal | None:
    """The Danish money rules, written out plainly: optional sign in front or a minus behind,
    thousands dots in groups of three, at most two decimals after the comma."""
    t = text.strip()
    m = re.fullmatch(r"[+-]?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?\s*-?", t)
    if not m:
        return None
    ore = int(m.group(1).replace(".", "")) * 100 + int((m.group(2) or "").ljust(2, "0"))
    if ore >= 10**18:  # does not fit Decimal(18, 2)
        return None
    return Decimal(-ore if "-" in t else ore) / 100


@settings(max_examples=500)
@given(st.lists(st.text(alphabet="0123456789.,-+ ", max_size=18), min_size=1, max_size=40))
def test_amount_parser_follows_the_written_rules(texts):
    """Every text, well formed or not: the parser gives exactly the reference value, or null."""
    got = pl.select(parse_number(pl.lit(pl.Series(texts, dtype=pl.String)), dtype=pl.Decimal(18, 2))).to_series().to_list()
    assert got == [reference_kroner(t) for t in texts]


@settings(max_examples=200)
@given(st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2100, 12, 31)), st.sampled_from(["%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]))
def test_dates_round_trip(d, fmt):
    assert pl.select(parse_date(pl.lit(d.strftime(fmt)))).item() == d


@settings(max_examples=200)
@given(st.floats(0, 80, allow_nan=False), st.floats(0, 20, allow_nan=False))
def test_more_hours_never_give_a_lower_level(h, extra):
    lv = pl.select(a=level_expr(pl.lit(h), STRUCTURE), b=level_expr(pl.lit(h + extra), STRUCTURE)).row(0)
    assert lv[1] >= lv[0]
    assert 1 <= lv[0] <= 5


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(-5_000_000, 50_000_000), st.booleans()), min_size=1, max_size=30))
def test_import_reconciles_to_the_ore(tmp_path_factory, rows):
    """rows and kroner read = written + rejected, whatever is bad."""
    from click.testing import CliRunner
    from conftest import dss_line

    from tariffkit.cli import cli

    tmp = tmp_path_factory.mktemp("rec")
    lines, total = [], 0
    for ore, bad in rows:
        amount = f"{abs(ore) // 100:,}".replace(",", ".") + f",{abs(ore) % 100:02d}" + ("-" if ore < 0 else "")
        lines.append(dss_line(amount=amount, level="9" if bad else "3"))
        total += ore
    f = tmp / "d.csv"
    f.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    out, rej, summ = tmp / "o.parquet", tmp / "r.parquet", tmp / "s.json"
    r = CliRunner().invoke(
        cli,
        ["import-dss", str(f), "-o", str(out), "--extract-date", "2025-12-31", "--on-error", "reject", "--rejects", str(rej), "--summary-json", str(summ)],
        env={"TARIFFKIT_KEY": "k" * 20},
    )
    assert r.exit_code == 0, r.output
    written = int(pl.read_parquet(out)["amount"].sum() * 100) if pl.read_parquet(out).height else 0
    rejected = int(pl.read_parquet(rej)["amount"].sum() * 100) if pl.read_parquet(rej).height else 0
    assert written + rejected == total
    assert pl.read_parquet(out).height + pl.read_parquet(rej).height == len(rows)


def test_whole_pipeline_twice_is_byte_identical(tmp_path):
    """Two runs of sample-data/Makefile in two copies of the sample folder (same relative paths,
    so the same options): every output file is byte-identical."""
    import shutil

    outs = []
    for name in ("a", "b"):
        work = tmp_path / name
        work.mkdir()
        for f in SAMPLE.iterdir():
            if f.is_file():
                shutil.copy2(f, work / f.name)
        r = subprocess.run(["make", "-s", "-C", str(work), "OUT=out", f"TARIFFKIT={sys.executable} -m tariffkit"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        outs.append(work / "out")
    first, second = outs
    # (the run log is the one file meant to differ: it records when each run was made)
    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file() and p.suffix != ".log")
    assert names == sorted(str(p.relative_to(second)) for p in second.rglob("*") if p.is_file() and p.suffix != ".log") and len(names) >= 15
    for n in names:
        assert (first / n).read_bytes() == (second / n).read_bytes(), n


def test_concurrent_writers_never_leave_a_corrupt_file(tmp_path):
    from tariffkit.io import atomic_write

    target = tmp_path / "out.bin"
    payloads = [bytes([i]) * 2_000_000 for i in range(6)]

    def write(p):
        atomic_write(target, lambda fh: fh.write(p))

    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert target.read_bytes() in payloads  # one whole payload, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]  # no temp files left
