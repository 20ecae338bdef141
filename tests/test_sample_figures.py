"""The sample's figures, every one: the whole sample pipeline (sample-data/Makefile, `make
demo`) run in-process, each table it writes compared value for value with the figures recorded
in tests/golden/sample.json (a SHA-256 of the table's rows as CSV, with its row count and
columns). A change to any HÅP, price, tariff, budget line, result or flag of the sample fails
here; a change made on purpose is recorded with `TARIFFKIT_UPDATE_GOLDEN=1 make test` and shows
in the diff of the golden file. (The run in a new process, byte for byte, is
test_properties.test_whole_pipeline_twice_is_byte_identical.)"""

from __future__ import annotations

import hashlib
import re
import shlex
import subprocess
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from conftest import SAMPLE, golden

from tariffkit.cli import cli


def _steps(out: Path) -> list[list[str]]:
    """The Makefile's commands for OUT=out, as make would run them (make -n), one list of words each."""
    r = subprocess.run(["make", "-s", "-n", "-C", str(SAMPLE), f"OUT={out}", "TARIFFKIT=tariffkit", "all"], capture_output=True, text=True, check=True)
    text = r.stdout.replace("\\\n", " ")
    text = re.sub(r"\$\(\((\d+)\+(\d+)\)\)", lambda m: str(int(m[1]) + int(m[2])), text)  # the shell's $((2026+1))
    return [shlex.split(line) for line in text.splitlines() if line.strip()]


def _figures(path: Path) -> str:
    df = pl.read_parquet(path)
    nested = [c for c, t in df.schema.items() if t.is_nested()]  # (lists of flags and notes: as JSON text)
    rows = df.with_columns(pl.struct(c).struct.json_encode().alias(c) for c in nested).write_csv(float_precision=10)
    return f"{df.height} rows; {', '.join(df.columns)}; sha256 {hashlib.sha256(rows.encode()).hexdigest()}"


def test_every_table_of_the_sample_has_the_recorded_figures(tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.chdir(SAMPLE)
    monkeypatch.delenv("TARIFFKIT_KEY", raising=False)
    runner = CliRunner()
    for words in _steps(out):
        if words[0] == "mkdir":
            Path(words[-1]).mkdir(parents=True, exist_ok=True)
        elif words[0] == "rm":
            assert not Path(words[-1]).exists()
        elif words[0] == "tariffkit":
            r = runner.invoke(cli, words[1:], catch_exceptions=False)
            assert r.exit_code == 0, (words, r.output)
        else:
            assert words[0] == "chmod", words
    tables = sorted(out.rglob("*.parquet"))
    assert len(tables) >= 30
    for t in tables:
        golden("sample", str(t.relative_to(out)), _figures(t), tmp_path)
