"""A command's outputs are published together or not at all (issue 29, class 3): a failure after
the first output leaves none of them, files that were there stay as they were, an output that
cannot be written is refused before any work, and SIGTERM cleans up like Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import HEADER, KEY, SAMPLE, dss_line

REF = SAMPLE / "reference"
TB = ["tariff-build", "--structure", REF / "levels.toml", "--costs", REF / "costs.csv", "--haap", REF / "expected-haap.csv", "--year", "2024"]


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp")


def test_a_failure_after_the_first_output_leaves_none_of_them(run, tmp_path, monkeypatch):
    import tariffkit.tariffs

    def broken(*a, **k):
        from tariffkit.errors import DataError

        raise DataError("the card cannot be made (planted failure)", file="card")

    monkeypatch.setattr(tariffkit.tariffs, "card_toml", broken)
    out, card = tmp_path / "t.parquet", tmp_path / "card.toml"
    r = run(*TB, "-o", out, "--card", card)
    assert r.exit_code == 1 and "planted failure" in r.stderr
    assert not out.exists() and not card.exists()  # the tariffs were finished first, and are not published alone
    assert leftovers(tmp_path) == []


def test_the_files_that_were_there_stay_as_they_were(run, tmp_path, monkeypatch):
    import tariffkit.tariffs

    out, card = tmp_path / "t.parquet", tmp_path / "card.toml"
    assert run(*TB, "-o", out, "--card", card).exit_code == 0
    before = out.read_bytes(), card.read_bytes()
    monkeypatch.setattr(tariffkit.tariffs, "card_toml", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    r = run(*TB, "--year", "2024", "-o", out, "--card", card)
    assert r.exit_code == 1 and "No space left on device" in r.stderr
    assert (out.read_bytes(), card.read_bytes()) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("option", ["-o", "--card", "--portal"])
def test_an_output_in_a_missing_folder_is_refused_before_any_work(run, tmp_path, option):
    out = tmp_path / "t.parquet"
    args = {"-o": out, "--card": tmp_path / "card.toml", "--portal": tmp_path / "p.csv"}
    args[option] = tmp_path / "no-such-folder" / "x"
    flat = [x for kv in args.items() for x in kv]
    r = run(*TB, *flat)
    assert r.exit_code == 2 and option in r.stderr and "does not exist" in r.stderr
    assert not any(p.exists() for p in args.values())


def test_an_output_that_is_a_folder_is_refused(run, tmp_path):
    r = run(*TB, "-o", tmp_path)
    assert r.exit_code == 2 and "is a folder" in r.stderr


def test_sigterm_mid_import_leaves_no_temp_file_and_no_output(tmp_path):
    big = tmp_path / "big.csv"
    line = dss_line()
    with open(big, "w", encoding="utf-8") as fh:
        fh.write(HEADER + "\n")
        for i in range(400_000):
            fh.write(line.replace("S1", f"S{i}") + "\n")
    out = tmp_path / "out" / "p.parquet"
    out.parent.mkdir()
    env = {**os.environ, "TARIFFKIT_KEY": KEY}
    p = subprocess.Popen(
        [sys.executable, "-m", "tariffkit", "import-dss", str(big), "-o", str(out), "--rejects", str(out.parent / "r.csv")],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 60
    while p.poll() is None and not any(out.parent.iterdir()) and time.monotonic() < deadline:  # until it writes its temp file
        time.sleep(0.01)
    p.send_signal(signal.SIGTERM)
    _, stderr = p.communicate(timeout=60)
    if p.returncode == 0:
        pytest.skip("the import finished before the signal (a fast machine); nothing to check")
    assert p.returncode == 143, stderr
    assert "terminated" in stderr and "Traceback" not in stderr
    assert list(out.parent.iterdir()) == []
