"""A municipality's working folder: tariffkit init, tariffkit.toml (precedence, bad settings),
tariffkit config, and the month and the year run by name."""

from __future__ import annotations

import hashlib
import shutil
import stat
from pathlib import Path

import polars as pl
import pytest

SAMPLE = Path(__file__).parent.parent / "sample-data"


@pytest.fixture
def kommune(run, tmp_path, monkeypatch):
    folder = tmp_path / "kommune"
    r = run("init", folder, "--municipality", "Testby Kommune", "--year", "2026")
    assert r.exit_code == 0, r.output
    monkeypatch.chdir(folder)
    return folder


def test_init_makes_the_folder_and_never_overwrites(run, kommune):
    for name in (
        "tariffkit.toml",
        "kommune.key",
        "levels.toml",
        "takstregler.toml",
        "bevillingsniveauer.toml",
        "ata-assumptions.toml",
        "Makefile",
        "maaned.sh",
        "README.md",
        "doegnskema-skabelon.xlsx",
    ):
        assert (kommune / name).is_file(), name
    for d in ("udtraek", "historik", "output", "rapporter"):
        assert (kommune / d).is_dir()
    assert stat.S_IMODE((kommune / "kommune.key").stat().st_mode) == 0o600
    assert 'municipality = "Testby Kommune"' in (kommune / "tariffkit.toml").read_text(encoding="utf-8")
    key = (kommune / "kommune.key").read_bytes()
    (kommune / "levels.toml").write_text("# mine\n", encoding="utf-8")
    r = run("init", kommune, "--municipality", "Testby Kommune")
    assert r.exit_code == 0 and "kept as they were" in r.output
    assert (kommune / "kommune.key").read_bytes() == key and (kommune / "levels.toml").read_text(encoding="utf-8") == "# mine\n"
    other = run("init", kommune.parent / "andet", "--municipality", "Andet Kommune")
    assert other.exit_code == 0 and (kommune.parent / "andet" / "kommune.key").read_bytes() != key  # a fresh key each time


def _extracts(folder):
    for m in ("09", "10"):
        shutil.copy(SAMPLE / f"dss-udtraek-2026-{m}.csv", folder / "udtraek" / f"udtraek-2026-{m}.csv")


def test_settings_give_defaults_and_the_command_line_wins(run, kommune):
    _extracts(kommune)
    assert run("import-dss", "udtraek/udtraek-2026-10.csv", "-o", "p.parquet").exit_code == 0  # the key file from the settings
    with open(kommune / "tariffkit.toml", "a", encoding="utf-8") as fh:
        fh.write("\n[commands.compute-haap]\nstay_gap = 0\n")
    assert run("compute-haap", "p.parquet", "--year", "2026", "--monthly", "-o", "a.parquet").exit_code == 0
    assert run("compute-haap", "p.parquet", "--year", "2026", "--monthly", "--stay-gap", "0", "-o", "b.parquet").exit_code == 0
    assert run("compute-haap", "p.parquet", "--year", "2026", "--monthly", "--stay-gap", "1", "-o", "c.parquet").exit_code == 0
    a, b, c = (pl.read_parquet(kommune / f"{x}.parquet") for x in "abc")
    assert a.equals(b) and not a.equals(c)  # the settings' stay_gap = 0 applies; the command line's 1 wins
    cfg = run("config")
    assert cfg.exit_code == 0 and "[commands.compute-haap]" in cfg.output and "stay_gap = 0" in cfg.output
    assert f"{kommune / 'tariffkit.toml'}:7" in cfg.output  # key_file, and the line it is on


@pytest.mark.parametrize(
    "text,words",
    [
        ('municipality = "x"\nkey_file = "kommune.key"\n[folders\n', ["tariffkit.toml", "not valid TOML", "line 3"]),
        ('municipality = "x"\nkey_fil = "kommune.key"\n', ["tariffkit.toml:2", "key_fil", "did you mean 'key_file'"]),
        ('[files]\nstructur = "levels.toml"\n', ["tariffkit.toml:2", "files.structur", "did you mean 'structure'"]),
        ('[annual]\nout_years = "five"\n', ["tariffkit.toml:2", "annual.out_years", "whole number"]),
        ('[files]\ncosts = "mangler.csv"\n', ["tariffkit.toml:2", "files.costs", "no such file"]),
        ('[annual]\nphase_in = "2026:1.5"\n', ["tariffkit.toml:2", "annual.phase_in"]),
        ("[commands.compute-haap]\nstay_gab = 1\n", ["tariffkit.toml:2", "stay_gab", "did you mean 'stay_gap'"]),
        ("[commands.compute-hap]\nstay_gap = 1\n", ["commands.compute-hap", "did you mean"]),
        ('[monthly]\nportfolio = "ja"\n', ["monthly.portfolio", "true or false"]),
    ],
)
def test_a_bad_settings_file_is_a_usage_error_naming_file_line_and_key(run, kommune, text, words):
    (kommune / "tariffkit.toml").write_text(text, encoding="utf-8")
    r = run("compute-haap", "nothing.parquet", "--year", "2026", "-o", "x.parquet")
    assert r.exit_code == 2, r.output
    for w in words:
        assert w in r.output, (w, r.output)
    assert "Traceback" not in r.output and not (kommune / "x.parquet").exists()


def test_config_from_another_folder_with_config(run, kommune, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("--config", kommune / "tariffkit.toml", "config")
    assert r.exit_code == 0 and "Testby Kommune" in r.output
    assert run("--config", tmp_path / "none.toml", "config").exit_code == 2
    assert "none found" in run("config").output  # no tariffkit.toml above tmp_path


def test_run_monthly_dry_run_prints_the_commands_and_runs_nothing(run, kommune):
    _extracts(kommune)
    r = run("run", "monthly", "--dry-run")
    assert r.exit_code == 0
    lines = [ln for ln in r.output.splitlines() if ln.startswith("tariffkit ")]
    assert lines[0].startswith("tariffkit import-dss udtraek/udtraek-2026-10.csv --key-file kommune.key --extract-date 2026-10-31")
    assert any(ln.startswith("tariffkit report monthly historik/payments.parquet --as-of 2026-10-31") for ln in lines)
    assert not any("portfolio" in ln for ln in lines)  # October is not a quarter's last month
    assert not (kommune / "historik" / "payments.parquet").exists() and not (kommune / "tariffkit.log").exists()
    q = run("run", "monthly", "--extract", "udtraek/udtraek-2026-09.csv", "--dry-run")
    assert any(ln.startswith("tariffkit portfolio") and "--quarter 2026Q3" in ln and "--tiers bevillingsniveauer.toml" in ln for ln in q.output.splitlines())


def test_run_monthly_gives_the_report_logs_and_stops_at_a_failing_step(run, kommune, monkeypatch):
    import tariffkit.run

    def no_new_process(*a, **k):
        raise AssertionError("a step started a new process")

    monkeypatch.setattr(tariffkit.run.subprocess, "run", no_new_process)  # the steps run in the run's own process (issue 30)
    _extracts(kommune)
    r = run("run", "monthly", "--extract", "udtraek/udtraek-2026-09.csv")
    assert r.exit_code == 0, r.output
    assert "import-dss" in r.output and "history: extract 2026-09-30" in r.output, "each step's own summary is shown as the run goes"
    r = run("run", "monthly")  # the newest extract: October, with September's key figures
    assert r.exit_code == 0, r.output
    assert (kommune / "rapporter" / "rapport-2026-10.html").is_file() and (kommune / "output" / "noegletal-2026-10.parquet").is_file()
    log = (kommune / "tariffkit.log").read_text(encoding="utf-8").splitlines()
    assert len(log) == 2 and "run monthly 2026-10 exit=0 steps=6/6" in log[1]
    digest = hashlib.sha256((kommune / "udtraek" / "udtraek-2026-10.csv").read_bytes()).hexdigest()
    assert f"udtraek/udtraek-2026-10.csv={digest}" in log[1]
    history = (kommune / "historik" / "payments.parquet").read_bytes()
    # September again, after October: older than the history's newest, refused as import-dss refuses it
    r = run("run", "monthly", "--extract", "udtraek/udtraek-2026-09.csv")
    assert r.exit_code == 1 and "step 1 (import-dss) failed with exit 1" in r.output
    assert (kommune / "historik" / "payments.parquet").read_bytes() == history
    assert "run monthly 2026-09 exit=1 steps=0/" in (kommune / "tariffkit.log").read_text(encoding="utf-8").splitlines()[-1]


def test_a_key_file_others_can_read_is_refused_with_the_chmod(run, kommune):
    _extracts(kommune)
    (kommune / "kommune.key").chmod(0o644)
    r = run("import-dss", "udtraek/udtraek-2026-10.csv", "-o", "p.parquet")
    assert r.exit_code == 2 and "chmod 600" in r.output and not (kommune / "p.parquet").exists()


def test_run_annual_builds_the_year_from_the_settings(run, kommune):
    _extracts(kommune)
    for f in ("costs.csv", "staff.csv", "offers.csv", "placeringer.csv", "doegnskemaer.csv"):
        shutil.copy(SAMPLE / f, kommune / f)
    text = (kommune / "tariffkit.toml").read_text(encoding="utf-8")
    for k in ("costs", "staff", "offers", "placements", "schedules"):
        text = text.replace(f"# {k} = ", f"{k} = ")
    (kommune / "tariffkit.toml").write_text(text, encoding="utf-8")
    assert run("run", "annual", "--year", "2026").exit_code == 2  # no history yet: says to run monthly first
    assert run("run", "monthly").exit_code == 0
    dry = run("run", "annual", "--year", "2026", "--dry-run")
    steps = [ln.split()[1] for ln in dry.output.splitlines() if ln.startswith("tariffkit ")]
    assert steps == ["price-ata", "occupancy", "tariff-build", "reassign", "budget-forecast", "report"]
    r = run("run", "annual", "--year", "2026")
    assert r.exit_code == 0, r.output
    for p in (
        "output/takster-2026.parquet",
        "output/budget-2026.parquet",
        "rapporter/tilbud-2026.xlsx",
        "rapporter/takstkort-2026.toml",
        "rapporter/tilbudsportalen-2026.csv",
        "output/genindplacering-2026.parquet",
    ):
        assert (kommune / p).is_file(), p


def test_the_sample_is_a_working_folder_and_its_runs_give_the_pipelines_figures(sample_out):
    out, _ = sample_out
    k = out / "kommune"
    log = (k / "tariffkit.log").read_text(encoding="utf-8").splitlines()
    assert [ln.split(" exit=")[0].split(" run ")[1] for ln in log] == ["monthly 2026-09", "monthly 2026-10", "annual 2026"]
    assert all(" exit=0 " in ln for ln in log)
    # the month and the year run by name give the same tables as the step-by-step pipeline
    for mine, theirs in [
        ("output/takster-2026.parquet", "takster-2026.parquet"),
        ("output/budget-2026.parquet", "budget-2026.parquet"),
        ("output/noegletal-2026-10.parquet", "noegletal-2026-10.parquet"),
        ("output/belaegning-2026.parquet", "belaegning-2026.parquet"),
        ("output/genindplacering-2026.parquet", "genindplacering-2026.parquet"),
    ]:
        assert pl.read_parquet(k / mine).equals(pl.read_parquet(out / theirs)), mine
    assert (k / "rapporter" / "rapport-2026-10.html").is_file()


def test_set_overrides_a_setting_and_is_checked(run, kommune):
    r = run("--set", "annual.out_years=3", "config")
    assert r.exit_code == 0 and "out_years = 3    # --set (the command line)" in r.output
    assert run("--set", "annual.out_yeras=3", "config").exit_code == 2
    bad = run("--set", "annual.out_years=many", "config")
    assert bad.exit_code == 2 and "annual.out_years" in bad.output


def test_a_rejected_row_is_said_at_the_end_and_logged(run, kommune):
    lines = (SAMPLE / "dss-udtraek-2026-10.csv").read_text(encoding="utf-8-sig").splitlines()
    bad = lines[1].split(";")
    bad[12] = "mange penge"
    (kommune / "udtraek" / "udtraek-2026-10.csv").write_text("\n".join([lines[0], ";".join(bad), *lines[2:]]) + "\n", encoding="utf-8")
    r = run("run", "monthly")
    assert r.exit_code == 0 and "1 rows were rejected and are not in the figures; see output/afviste-2026-10.parquet" in r.output
    log = (kommune / "tariffkit.log").read_text(encoding="utf-8")
    assert "rejected=1" in log and "tariffkit.toml=" in log and "kommune.key=" not in log


def test_the_cron_script_names_the_tariffkit_that_made_it_and_help_works_beside_bad_settings(kommune):
    import subprocess
    import sys

    script = (kommune / "maaned.sh").read_text(encoding="utf-8")
    assert sys.executable in script and "run monthly" in script
    (kommune / "tariffkit.toml").write_text("key_fil = 1\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "tariffkit", "compute-haap", "--help"], cwd=kommune, capture_output=True, text=True)
    assert r.returncode == 0 and "compute-haap" in r.stdout
    r = subprocess.run([sys.executable, "-m", "tariffkit", "compute-haap", "x.parquet"], cwd=kommune, capture_output=True, text=True)
    assert r.returncode == 2 and "key_fil" in r.stderr
