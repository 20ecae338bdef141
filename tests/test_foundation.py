"""The foundation: CLI conventions, shared I/O, contracts, the sample municipality."""

import hashlib
import io
import json
import os
import subprocess
import sys

import polars as pl
import pytest
from conftest import ROOT, SAMPLE, tariffkit_exe
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffkit import __version__
from tariffkit import io as tio
from tariffkit.contracts import STAFF, all_markdown
from tariffkit.errors import DataError


def test_help_lists_every_command_with_a_summary(run):
    r = run("--help")
    assert r.exit_code == 0
    for name in ("import-dss", "compute-haap", "sample", "schema", "show"):
        assert name in r.output


def test_every_command_help_has_an_example(run):
    from tariffkit.cli import cli

    for name in cli.commands:
        r = run(name, "--help")
        assert r.exit_code == 0, name
        assert "Example" in r.output, f"{name} --help has no example"


def test_version(run):
    r = run("--version")
    assert r.exit_code == 0 and __version__ in r.output


def test_help_does_not_import_polars():
    code = "import sys; from tariffkit.cli import cli; assert 'polars' not in sys.modules, 'polars imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_python_dash_m_works():
    r = subprocess.run([*tariffkit_exe(), "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and __version__ in r.stdout


def test_unknown_option_is_a_usage_error(run):
    assert run("compute-haap", "--nope").exit_code == 2


def test_data_error_names_file_row_column_and_exits_1(run, tmp_path):
    bad = tmp_path / "staff.csv"
    bad.write_text("offer_id;year;category;fte;cost_per_fte;gives_ata\nT1;2026;trained;abc;487.000,00;ja\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        tio.read_table(bad, contract="staff")
    msg = str(e.value)
    assert "staff.csv" in msg and "row 2" in msg and "column fte" in msg and "'abc'" in msg


def test_contract_parses_danish_numbers_dates_and_booleans(tmp_path):
    f = tmp_path / "staff.csv"
    f.write_text(
        "offer_id;year;category;fte;cost_per_fte;gives_ata\nT1;2026;trained;23,38;487.000,00;ja\nT1;2026;admin;2,62;335.000,00;nej\n", encoding="utf-8"
    )
    df = tio.read_table(f, contract="staff")
    assert df.schema == pl.Schema(STAFF.schema)
    assert df["fte"].to_list() == [23.38, 2.62]
    assert [str(v) for v in df["cost_per_fte"]] == ["487000.00", "335000.00"]
    assert df["gives_ata"].to_list() == [True, False]


def test_contract_reports_duplicated_keys(tmp_path):
    f = tmp_path / "staff.csv"
    f.write_text("offer_id;year;category;fte;cost_per_fte;gives_ata\nT1;2026;trained;1;1;ja\nT1;2026;trained;2;1;ja\n", encoding="utf-8")
    with pytest.raises(DataError, match="duplicated key"):
        tio.read_table(f, contract="staff")


def test_contract_rejects_negative_and_unknown_values(tmp_path):
    f = tmp_path / "staff.csv"
    f.write_text("offer_id;year;category;fte;cost_per_fte;gives_ata\nT1;2026;trained;-1;1;ja\n", encoding="utf-8")
    with pytest.raises(DataError, match="at least 0"):
        tio.read_table(f, contract="staff")
    f.write_text("offer_id;year;category;fte;cost_per_fte;gives_ata\nT1;2026;chef;1;1;ja\n", encoding="utf-8")
    with pytest.raises(DataError, match="expected one of management"):
        tio.read_table(f, contract="staff")


def test_io_round_trip_parquet_csv_xlsx(tmp_path):
    from openpyxl import Workbook

    df = pl.DataFrame(
        {"offer_id": ["T1"], "year": [2026], "category": ["trained"], "fte": [23.38], "cost_per_fte": ["487000.00"], "gives_ata": [True]}
    ).with_columns(pl.col("cost_per_fte").cast(pl.Decimal(18, 2)), pl.col("year").cast(pl.Int32))
    p = tmp_path / "s.parquet"
    tio.write_table(df, str(p), command="t", options={}, inputs=None)
    assert tio.read_table(p, contract="staff").equals(df)
    wb = Workbook()
    ws = wb.active
    ws.append(["offer_id", "year", "category", "fte", "cost_per_fte", "gives_ata"])
    ws.append(["T1", 2026, "trained", 23.38, 487000, "ja"])
    wb.save(tmp_path / "s.xlsx")
    assert tio.read_table(tmp_path / "s.xlsx", contract="staff").equals(df)


def test_wrong_file_kind_is_named(tmp_path):
    fake = tmp_path / "x.csv"
    fake.write_bytes(b"PK\x03\x04rest-of-a-zip")
    with pytest.raises(DataError, match="found a xlsx file"):
        tio.read_table(fake)
    trunc = tmp_path / "t.parquet"
    buf = io.BytesIO()
    pl.DataFrame({"a": list(range(1000))}).write_parquet(buf)
    trunc.write_bytes(buf.getvalue()[:200])
    with pytest.raises(DataError, match="truncated or corrupt"):
        tio.read_table(trunc)


@pytest.mark.parametrize("error", [RuntimeError, OSError])
def test_atomic_write_keeps_old_file_and_leaves_no_temp(tmp_path, error):
    target = tmp_path / "out.parquet"
    target.write_bytes(b"old content")

    def failing_writer(fh):
        fh.write(b"half a file")
        raise error("disk full (simulated)")

    with pytest.raises(error):
        tio.atomic_write(target, failing_writer)
    assert target.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]


def test_refuses_to_overwrite_an_input(run, tmp_path):
    src = tmp_path / "payments.parquet"
    r0 = run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv", "-o", src)
    assert r0.exit_code == 0
    before = src.read_bytes()
    r = run("compute-haap", src, "-o", src)
    assert r.exit_code == 1 and "refusing to write over an input" in r.output
    assert src.read_bytes() == before


def test_refuses_parquet_to_a_terminal(monkeypatch, run):
    import tariffkit.io.writing

    monkeypatch.setattr(tariffkit.io.writing, "stdout_is_terminal", lambda: True)
    r = run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv")
    assert r.exit_code == 2 and "terminal" in r.output


def test_provenance_without_timestamps_and_byte_identical(run, tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv", "-o", a).exit_code == 0
    assert run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv", "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    meta = tio.read_provenance(a)
    assert meta["tariffkit.version"] == __version__ and meta["tariffkit.command"] == "import-dss"
    assert tio.sha256_file(SAMPLE / "dss-udtraek-2026-09.csv") in meta["tariffkit.inputs"]


def test_real_shell_pipe_chains_commands(tmp_path):
    env = {**os.environ, "TARIFFKIT_KEY": "pipe-key-0123456789abcdef"}
    exe = " ".join(tariffkit_exe())
    cmd = f"{exe} import-dss {SAMPLE / 'dss-udtraek-2026-09.csv'} | {exe} compute-haap - --year 2025 | {exe} show - --format csv"
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    header, row = r.stdout.strip().splitlines()
    assert header.startswith("period,citizens,haap,expense")
    assert row.startswith("2025,")


def test_sigpipe_is_quiet(tmp_path):
    exe = " ".join(tariffkit_exe())
    r = subprocess.run(f"{exe} show {SAMPLE / 'dss-udtraek-2026-09.csv'} --format csv --limit 0 | head -1", shell=True, capture_output=True, text=True)
    # nothing about the closed pipe (the note that CPR numbers and names are masked is expected)
    assert r.returncode == 0 and r.stderr.strip() == "show: CPR numbers and names are masked in CPR-nr., Navn (--raw shows the file as it is)"


def test_schema_command_and_docs_in_sync(run):
    r = run("schema", "payments")
    assert r.exit_code == 0 and "citizen_id" in r.output
    assert run("schema", "nope").exit_code == 2
    doc = (ROOT / "docs" / "data-contracts.md").read_text(encoding="utf-8")
    assert doc == all_markdown(), "docs/data-contracts.md is stale: run `tariffkit schema --markdown > docs/data-contracts.md`"


def test_checked_in_sample_equals_regenerated(run, tmp_path):
    assert run("sample", "--out", tmp_path).exit_code == 0
    for p in sorted(tmp_path.iterdir()):
        assert p.read_bytes() == (SAMPLE / p.name).read_bytes(), f"sample-data/{p.name} differs from `tariffkit sample`"


def test_sample_is_deterministic_and_seed_matters(tmp_path):
    from tariffkit.sample import SampleConfig, generate

    a = generate(SampleConfig(citizens=50, seed=1))["dss-udtraek-2026-09.csv"]
    b = generate(SampleConfig(citizens=50, seed=1))["dss-udtraek-2026-09.csv"]
    c = generate(SampleConfig(citizens=50, seed=2))["dss-udtraek-2026-09.csv"]
    assert a.equals(b) and not a.equals(c)


def test_sample_cpr_numbers_are_replacement_numbers():
    df = pl.read_csv(SAMPLE / "dss-udtraek-2026-09.csv", separator=";", infer_schema=False, encoding="utf8-lossy")
    days = df["CPR-nr."].str.slice(0, 2).cast(pl.Int32)
    assert days.min() >= 61 and days.max() <= 91, "sample CPR numbers must use day + 60"


def test_sample_has_the_planted_findings():
    text = (SAMPLE / "FINDINGS.md").read_text(encoding="utf-8")
    for finding in ("Cost jumps", "Service drift", "Overlapping 1:1", "deficit", "Corrections"):
        assert finding in text


def test_background_hash_is_the_files_sha256_and_a_missing_file_fails_at_once(tmp_path):
    """import-dss hashes its inputs on a thread while it imports them; the digest in the
    provenance must be the same, and a file that is not there must still fail up front."""
    f = tmp_path / "x.csv"
    f.write_bytes(b"a;b\n1;2\n" * 300_000)
    inputs = tio.Inputs()
    tio.register_file(f, inputs, background=True)
    assert inputs.entries == [("x.csv", hashlib.sha256(f.read_bytes()).hexdigest())]
    with pytest.raises(DataError, match="file not found"):
        tio.register_file(tmp_path / "missing.csv", inputs, background=True)


def test_provenance_of_several_extracts_names_each_with_its_hash(run, tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    lines = (SAMPLE / "dss-udtraek-2026-09.csv").read_text(encoding="utf-8-sig").splitlines()
    a.write_text("\n".join(lines[:50]) + "\n", encoding="utf-8")
    b.write_text("\n".join([lines[0], *lines[50:90]]) + "\n", encoding="utf-8")
    out = tmp_path / "p.parquet"
    assert run("import-dss", a, b, "-o", out).exit_code == 0
    listed = json.loads(tio.read_provenance(out)["tariffkit.inputs"])
    assert listed == [{"file": "a.csv", "sha256": tio.sha256_file(a)}, {"file": "b.csv", "sha256": tio.sha256_file(b)}]


@pytest.mark.parametrize(
    "cell, rule, message",
    [
        ({"d": "01-01-1850"}, "date_range", "expected a date from 1900 to 2200"),
        ({"k": "maybe"}, "allowed", "expected one of yes, no"),
        ({"n": "-1"}, "minimum", "expected a value of at least 0"),
        ({"n": "x"}, "type", "expected a number"),
        ({"k": ""}, "required", "found an empty value"),
    ],
)
def test_conform_and_find_problems_apply_the_same_rules(cell, rule, message):
    """One home for the contract's cell rules (issue 21): the first problem conform raises is
    the one find_problems lists, with the same words; a date outside 1900–2200 is a problem
    for validate too (it was not)."""
    from tariffkit.contracts import Column, Table, conform, find_problems
    from tariffkit.errors import DataError

    t = Table(
        "t", "test", (Column("d", pl.Date, "a date"), Column("k", pl.String, "a word", allowed=("yes", "no")), Column("n", pl.Float64, "a number", minimum=0))
    )
    good = {"d": "01-01-2026", "k": "yes", "n": "1"}
    df = pl.DataFrame([good, {**good, **cell}])
    _, problems = find_problems(df, t)
    assert problems.select("_r", "column", "rule").rows() == [(2, next(iter(cell)), rule)]
    assert message in problems["reason"][0]
    with pytest.raises(DataError) as e:
        conform(df, t, file="f.csv")
    assert message in str(e.value) and "row 2" in str(e.value) and next(iter(cell)) in str(e.value)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.from_regex(r"[0-9]{6}-?[0-9]{4}", fullmatch=True), st.from_regex(r"[0-9 -]{0,13}", fullmatch=True), st.text(max_size=12)))
def test_one_cpr_rule_for_import_schedules_and_placements(text):
    """Schedules and placements read CPR numbers by the import's rule (issue 21: they counted
    digits only, so 999999-1234 passed there and was refused at import)."""
    from tariffkit.cpr import normalise, normalise_expr

    got = pl.DataFrame({"c": [text]}, schema={"c": pl.String}).select(normalise_expr(pl.col("c")))["c"][0]
    assert got == normalise(text)


def test_a_schedule_refuses_the_cpr_number_import_refuses():
    from tariffkit.errors import DataError
    from tariffkit.schedules import pseudonymise_column

    ok = pseudonymise_column(pl.DataFrame({"cpr": ["010190-1234"]}), b"k" * 32, "s.csv")
    assert ok.columns == ["citizen_id"] or "citizen_id" in ok.columns
    with pytest.raises(DataError, match="CPR"):
        pseudonymise_column(pl.DataFrame({"cpr": ["999999-1234"]}), b"k" * 32, "s.csv")
