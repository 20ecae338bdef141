"""The payments history: every DSS extract is a snapshot (actuals accumulate, commitments are
replaced), read by every command the same way; the monthly cron recipe over a year end."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import polars as pl
import pytest
from conftest import KEY, ROOT, SAMPLE, dss_line, write_dss

from tariffkit.haap import HaapOptions, compute

D = dt.date


def imp(run, out, *files, extra=()):
    r = run("import-dss", *files, "-o", out, *extra)
    return r


def forecast(path, as_of, by=("offer_id",), known_at=None):
    pay = pl.read_parquet(path)
    return compute(pay, HaapOptions(by=by, start=D(as_of.year, 1, 1), end=D(as_of.year, 12, 1), as_of=as_of, period_label=str(as_of.year), known_at=known_at))


def test_sample_september_then_october_equals_october_alone(run, tmp_path):
    both, alone, sep = tmp_path / "both.parquet", tmp_path / "alone.parquet", tmp_path / "sep.parquet"
    assert imp(run, both, SAMPLE / "dss-udtraek-2026-09.csv").exit_code == 0
    r = imp(run, both, SAMPLE / "dss-udtraek-2026-10.csv", extra=("--append",))
    assert r.exit_code == 0, r.output
    assert "already in the history" in r.output and "replaced by" in r.output and "extract date 2026-10-31" in r.output
    assert imp(run, alone, SAMPLE / "dss-udtraek-2026-10.csv").exit_code == 0
    assert imp(run, sep, SAMPLE / "dss-udtraek-2026-09.csv").exit_code == 0
    a, b = forecast(both, D(2026, 10, 31)), forecast(alone, D(2026, 10, 31))
    assert a.equals(b), "September + October appended gives exactly October's forecast"
    assert a["expense_forecast"].sum() > 0
    # and the history read as it stood on 30 September is September's extract alone
    assert forecast(both, D(2026, 9, 30), known_at=D(2026, 9, 30)).equals(forecast(sep, D(2026, 9, 30)))


def test_delta_extract_gives_the_same_history_as_a_full_one(run, tmp_path):
    """An October file with only the new actual lines and the open commitments."""
    sep = SAMPLE / "dss-udtraek-2026-09.csv"
    oct_ = SAMPLE / "dss-udtraek-2026-10.csv"
    sep_lines = set(sep.read_text(encoding="utf-8-sig").splitlines()[1:])
    head, *rows = oct_.read_text(encoding="utf-8-sig").splitlines()
    delta = [x for x in rows if x not in sep_lines or x.endswith("Disposition")]
    assert 0 < len(delta) < len(rows) / 5
    d = tmp_path / "delta.csv"
    d.write_text("\n".join([head, *delta]) + "\n", encoding="utf-8")
    full, part = tmp_path / "full.parquet", tmp_path / "delta.parquet"
    for out, f in ((full, oct_), (part, d)):
        assert imp(run, out, sep).exit_code == 0
        assert imp(run, out, f, extra=("--append",)).exit_code == 0
    assert forecast(full, D(2026, 10, 31), by=("offer_id", "level")).equals(forecast(part, D(2026, 10, 31), by=("offer_id", "level")))


def _month(cpr, m, amount="31.000,00", kind="Forbrug", year=2026, to=None, frm=None):
    first = D(year, m, 1)
    last = to or (D(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
    return dss_line(cpr=cpr, case=cpr[:2], frm=(frm or first).strftime("%d-%m-%Y"), to=last.strftime("%d-%m-%Y"), amount=amount, kind=kind)


def test_commitment_that_disappears_and_one_that_changes(run, tmp_path):
    """September: A and B committed to year end. October: A moved out on 15 October (no
    commitment any more), B's commitment is now 40,000 a month."""
    sep = write_dss(
        tmp_path / "sep.csv",
        [
            _month("700101-1234", 9),
            _month("700101-1234", 10, "92.000,00", "Disposition", to=D(2026, 12, 31)),
            _month("700202-1234", 9),
            _month("700202-1234", 10, "92.000,00", "Disposition", to=D(2026, 12, 31)),
        ],
    )
    oct_ = write_dss(
        tmp_path / "oct.csv",
        [
            _month("700101-1234", 9),
            _month("700101-1234", 10, "15.000,00", to=D(2026, 10, 15)),
            _month("700202-1234", 9),
            _month("700202-1234", 10),
            _month("700202-1234", 11, "80.000,00", "Disposition", to=D(2026, 12, 31)),
        ],
    )
    h = tmp_path / "h.parquet"
    assert imp(run, h, sep).exit_code == 0
    r = imp(run, h, oct_, extra=("--append",))
    assert r.exit_code == 0, r.output
    assert "2 lines of 2026-09-30 (184.000,00 kr) replaced by 1 lines of 2026-10-31 (80.000,00 kr)" in r.output
    f = forecast(h, D(2026, 10, 31), by=()).row(0, named=True)
    # A: Sep 31,000 + Oct 15,000; B: Sep + Oct 31,000 each + 80,000 committed
    assert f["expense_forecast"] == Decimal("31000") * 3 + Decimal("15000") + Decimal("80000")
    assert f["haap_forecast"] == pytest.approx((2 + 2 + 2) / 12)
    # September's forecast is still what September said: 2 × (31,000 + 92,000)
    s = forecast(h, D(2026, 9, 30), by=(), known_at=D(2026, 9, 30)).row(0, named=True)
    assert s["expense_forecast"] == Decimal("246000.00") and s["haap_forecast"] == pytest.approx(8 / 12)


def test_commitment_starting_before_the_extract_date_is_cut(run, tmp_path):
    """A commitment 16 Sep – 15 Oct (30 days, 30,000 kr) in an extract dated 30 Sep counts
    for 1–15 Oct: 30,000 − trunc(30,000 × 15/30) = 15,000 kr."""
    f = write_dss(
        tmp_path / "x.csv", [_month("700101-1234", 9), dss_line(cpr="700101-1234", frm="16-09-2026", to="15-10-2026", amount="30.000,00", kind="Disposition")]
    )
    h = tmp_path / "h.parquet"
    r = imp(run, h, f, extra=("--summary-json", tmp_path / "s.json"))
    assert r.exit_code == 0 and "1 commitments started on or before the extract date" in r.output
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["history"][0]["commitments_cut_at_extract_date"] == 1
    # the first extract of a history: every line new, none already present, nothing stale
    assert summary["files"][0]["already_present"] == 0 and summary["history"][0]["actual_already_present"] == 0
    assert summary["history"][0]["commitments_stale"] is False
    m = compute(pl.read_parquet(h), HaapOptions(start=D(2026, 9, 1), end=D(2026, 10, 1), monthly=True))
    assert m["expense"].to_list() == [Decimal("31000.00"), Decimal("15000.00")]


def test_an_odd_number_of_ore_is_cut_toward_zero_once():
    from tariffkit.history import lines_in_force

    base = {
        "citizen_id": "a",
        "case_id": "S",
        "caseworker": "M",
        "offer_id": "T",
        "offer_name": "T",
        "provider": "internal",
        "paragraph": "SEL 108",
        "function": "5.38.50",
        "level": 1,
        "source_file": "f",
        "extract_date": D(2026, 9, 30),
    }
    rows = [
        {**base, "service_from": D(2026, 9, 1), "service_to": D(2026, 9, 30), "amount": Decimal("1.00"), "kind": "actual", "source_row": 1},
        {**base, "service_from": D(2026, 9, 29), "service_to": D(2026, 10, 1), "amount": Decimal("-0.01"), "kind": "commitment", "source_row": 2},
        {**base, "service_from": D(2026, 9, 29), "service_to": D(2026, 10, 1), "amount": Decimal("1.00"), "kind": "commitment", "source_row": 3},
    ]
    from tariffkit.contracts import PAYMENTS

    lf, snap = lines_in_force(pl.DataFrame(rows, schema=PAYMENTS.schema))
    c = lf.filter(pl.col("kind") == "commitment").collect().sort("source_row")
    # 3 days, 2 cut: −1 øre − trunc(−1 × 2/3) = −1 øre; 100 − trunc(100 × 2/3) = 100 − 66 = 34 øre
    assert c["amount"].to_list() == [Decimal("-0.01"), Decimal("0.34")] and c["service_from"].to_list() == [D(2026, 10, 1)] * 2
    assert snap.horizon == D(2026, 9, 30) and not snap.stale


def test_late_reimport_is_refused_unless_declared(run, tmp_path):
    aug = write_dss(tmp_path / "aug.csv", [_month("700101-1234", 8), _month("700101-1234", 9, "122.000,00", "Disposition", to=D(2026, 12, 31))])
    sep = write_dss(
        tmp_path / "sep.csv", [_month("700101-1234", 8), _month("700101-1234", 9), _month("700101-1234", 10, "92.000,00", "Disposition", to=D(2026, 12, 31))]
    )
    h = tmp_path / "h.parquet"
    assert imp(run, h, sep).exit_code == 0
    before = h.read_bytes()
    r = imp(run, h, aug, extra=("--append",))
    assert r.exit_code == 1 and "2026-08-31 is older than the newest extract in the history (2026-09-30)" in r.output and "--late" in r.output
    assert h.read_bytes() == before, "nothing written"
    assert imp(run, h, aug, extra=("--append", "--late")).exit_code == 0
    f = forecast(h, D(2026, 9, 30), by=()).row(0, named=True)
    assert f["expense_forecast"] == Decimal("31000") * 2 + Decimal("92000"), "the late extract's commitments replace nothing newer"
    g = forecast(h, D(2026, 8, 31), by=(), known_at=D(2026, 8, 31)).row(0, named=True)
    assert g["expense_forecast"] == Decimal("31000") + Decimal("122000"), "but are what the history said on its date"


def test_an_extract_without_commitments_keeps_the_previous_ones_as_stale(run, tmp_path):
    sep = write_dss(tmp_path / "sep.csv", [_month("700101-1234", 9), _month("700101-1234", 10, "92.000,00", "Disposition", to=D(2026, 12, 31))])
    oct_ = write_dss(tmp_path / "oct.csv", [_month("700101-1234", 9), _month("700101-1234", 10)])
    h = tmp_path / "h.parquet"
    assert imp(run, h, sep).exit_code == 0
    r = imp(run, h, oct_, extra=("--append", "--summary-json", tmp_path / "s.json"))
    assert r.exit_code == 0 and "no commitments in this extract: those of 2026-09-30 stay in force (stale)" in r.output
    summary = json.loads((tmp_path / "s.json").read_text())
    change = summary["history"][0]
    assert change["commitments_stale"] is True
    # the whole change to the history, as a cron job's log reads it
    assert change == {
        "extract_date": "2026-10-31",
        "files": ["oct.csv"],
        "actual_lines": 2,
        "actual_added": 1,
        "actual_already_present": 1,
        "amount_added": "31000.00",
        "commitment_lines": 0,
        "commitments_in_force_before": {"extract_date": "2026-09-30", "lines": 1, "amount": "92000.00"},
        "commitments_in_force_after": {"extract_date": "2026-09-30", "lines": 1, "amount": "61000.00"},  # cut at 31 October
        "commitments_cut_at_extract_date": change["commitments_cut_at_extract_date"],
        "commitments_stale": True,
        "late_reimport": False,
    }
    (file_report,) = summary["files"]
    assert file_report["file"] == "oct.csv" and file_report["already_present"] == 1 and file_report["rows_read"] == 2
    f = forecast(h, D(2026, 10, 31), by=()).row(0, named=True)
    # Sep + Oct actual, then the September commitment for the days after 31 October only
    # (92 days, 61 kept: 92,000 − trunc(92,000 × 31/92) = 61,000)
    assert f["expense_forecast"] == Decimal("31000") * 2 + Decimal("61000")
    html = tmp_path / "r.html"
    assert run("report", "monthly", h, "-o", html).exit_code == 0
    assert "dispositionerne er fra udtrækket af 30.09.2026" in html.read_text(encoding="utf-8")


def test_as_of_after_the_newest_extract_is_refused(run, tmp_path):
    h = tmp_path / "h.parquet"
    assert imp(run, h, write_dss(tmp_path / "x.csv", [_month("700101-1234", 9)])).exit_code == 0
    r = run("compute-haap", h, "--as-of", "2026-10-31", "-o", tmp_path / "o.parquet")
    assert r.exit_code == 2 and "--as-of 2026-10-31 is after the newest extract date 2026-09-30" in r.output
    assert not (tmp_path / "o.parquet").exists()
    r = run("report", "monthly", h, "--as-of", "2026-10-31", "-o", tmp_path / "o.html")
    assert r.exit_code == 2 and "2026-09-30" in r.output and not (tmp_path / "o.html").exists()


def test_overwriting_a_history_without_append_is_refused(run, tmp_path):
    sep = write_dss(tmp_path / "sep.csv", [_month("700101-1234", 9)])
    oct_ = write_dss(tmp_path / "oct.csv", [_month("700101-1234", 10)])
    h = tmp_path / "h.parquet"
    assert imp(run, h, sep).exit_code == 0
    assert imp(run, h, sep).exit_code == 0, "re-running the same extract is fine"
    before = h.read_bytes()
    r = imp(run, h, oct_)
    assert r.exit_code == 2 and "--append" in r.output and "--replace" in r.output and "2026-09-30" in r.output
    assert h.read_bytes() == before
    assert imp(run, h, oct_, extra=("--replace",)).exit_code == 0
    assert pl.read_parquet(h)["extract_date"].unique().to_list() == [D(2026, 10, 31)]


def test_extract_date_from_the_option_or_a_mapped_column(run, tmp_path):
    f = write_dss(tmp_path / "x.csv", [_month("700101-1234", 9, to=D(2026, 9, 20))])
    h = tmp_path / "h.parquet"
    r = imp(run, h, f, extra=("--extract-date", "2026-09-30"))
    assert r.exit_code == 0 and "extract date 2026-09-30 (--extract-date)" in r.output
    r = imp(run, tmp_path / "i.parquet", f)
    assert "extract date 2026-09-20 (newest actual date)" in r.output
    text = f.read_text(encoding="utf-8-sig").splitlines()
    g = tmp_path / "g.csv"
    g.write_text("\n".join([text[0] + ";Udtræksdato", text[1] + ";30-09-2026", text[1].replace("S1", "S2") + ";01-10-2026"]) + "\n", encoding="utf-8")
    m = tmp_path / "m.toml"
    m.write_text('[columns]\nextract_date = "Udtræksdato"\n', encoding="utf-8")
    r = imp(run, tmp_path / "j.parquet", g, extra=("--mapping", m))
    assert r.exit_code == 1 and "column Udtræksdato" in r.output and "one extract date for the whole file" in r.output
    r = run("import-dss", "x.csv", "--extract-date", "30-09-2026", "-o", tmp_path / "k.parquet")
    assert r.exit_code == 2 and "--extract-date expects a date like 2026-09-30" in r.output


def test_duplicate_check_in_small_partitions_gives_the_same_history(run, tmp_path, monkeypatch):
    import tariffkit.dss.extracts as ex

    outs = []
    for rows in (10**9, 500):
        monkeypatch.setattr(ex, "PARTITION_ROWS", rows)
        h = tmp_path / f"h{rows}.parquet"
        assert imp(run, h, SAMPLE / "dss-udtraek-2026-09.csv").exit_code == 0
        assert imp(run, h, SAMPLE / "dss-udtraek-2026-10.csv", extra=("--append",)).exit_code == 0
        outs.append(pl.read_parquet(h))
    assert outs[0].equals(outs[1])


def test_colliding_content_hashes_still_match_line_by_line(run, tmp_path, monkeypatch):
    """Lines are compared by a hash of their content first; when every line's hash is the same
    (the worst collision), the comparison column by column still finds the same history."""
    import tariffkit.dss.extracts as ex

    outs = []
    for collide in (False, True):
        if collide:
            monkeypatch.setattr(ex, "_content_digest", lambda cols: pl.lit(7, pl.UInt64))
        for rows in (10**9, 500):
            monkeypatch.setattr(ex, "PARTITION_ROWS", rows)
            h = tmp_path / f"h{collide}{rows}.parquet"
            assert imp(run, h, SAMPLE / "dss-udtraek-2026-09.csv").exit_code == 0
            r = imp(run, h, SAMPLE / "dss-udtraek-2026-10.csv", extra=("--append",))
            assert r.exit_code == 0
            outs.append((r.output.splitlines()[-1], pl.read_parquet(h)))
    assert all(o[0] == outs[0][0] and o[1].equals(outs[0][1]) for o in outs)
    assert "already in the history" in outs[0][0]


def test_a_month_under_another_key_is_refused(run, tmp_path, monkeypatch):
    h = tmp_path / "h.parquet"
    assert imp(run, h, SAMPLE / "dss-udtraek-2026-09.csv").exit_code == 0
    before = h.read_bytes()
    monkeypatch.setenv("TARIFFKIT_KEY", "another-key-0123456789")
    r = imp(run, h, SAMPLE / "dss-udtraek-2026-10.csv", extra=("--append",))
    assert r.exit_code == 1 and "another key" in r.output and h.read_bytes() == before


def test_report_warns_when_the_commitments_stop_before_year_end(run, tmp_path):
    f = write_dss(tmp_path / "x.csv", [_month("700101-1234", 9), _month("700101-1234", 10, "31.000,00", "Disposition")])
    h = tmp_path / "h.parquet"
    assert imp(run, h, f).exit_code == 0
    assert run("report", "monthly", h, "-o", tmp_path / "r.html").exit_code == 0
    assert "dispositionerne rækker kun til 31.10.2026; resten af året indgår ikke i prognosen" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_lines_seen_twice_are_matched_by_occurrence(run, tmp_path):
    """Two identical payments in September; October's full extract has them and a third."""
    line = _month("700101-1234", 9, "1.000,00")
    h = tmp_path / "h.parquet"
    assert imp(run, h, write_dss(tmp_path / "a.csv", [line, line])).exit_code == 0
    r = imp(run, h, write_dss(tmp_path / "b.csv", [line, line, line, _month("700101-1234", 10, "1.000,00")]), extra=("--append",))
    assert "2 actual lines added (2.000,00 kr), 2 already in the history" in r.output
    assert pl.read_parquet(h).height == 4


def _run_month(tmp_path, data, extracts, today, env):
    e = {
        **env,
        "TK": f"{sys.executable} -m tariffkit",
        "TARIFFKIT_DATA": str(data),
        "TARIFFKIT_KEYFILE": str(tmp_path / "k.key"),
        "EXTRACTS": str(extracts),
        "TODAY": today,
    }
    return subprocess.run(["sh", str(ROOT / "docs" / "monthly.sh")], env=e, capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("date") is None, reason="needs date(1)")
def test_monthly_cron_script_over_a_year_end(tmp_path):
    """docs/monthly.sh run on 3 January, 3 February and 3 March: December's, January's and
    February's extracts, the year changing in between."""
    from tariffkit.sample import SampleConfig, write_sample

    sample = tmp_path / "sample"
    dates = (D(2026, 12, 31), D(2027, 1, 31), D(2027, 2, 28))
    write_sample(sample, SampleConfig(citizens=60, extract_dates=dates))
    extracts, data = tmp_path / "dss", tmp_path / "data"
    extracts.mkdir()
    data.mkdir()
    for d in dates:
        shutil.copy(sample / f"dss-udtraek-{d:%Y-%m}.csv", extracts / f"udtraek-{d:%Y-%m}.csv")
    (tmp_path / "k.key").write_text(KEY + "\n")
    os.chmod(tmp_path / "k.key", 0o600)
    env = {k: v for k, v in os.environ.items() if k != "TARIFFKIT_KEY"}
    for today in ("2027-01-03", "2027-02-03", "2027-03-03"):
        r = _run_month(tmp_path, data, extracts, today, env)
        assert r.returncode == 0, r.stdout + r.stderr
    for m in ("2026-12", "2027-01", "2027-02"):
        assert (data / f"rapport-{m}.html").exists() and (data / f"prognose-{m}.parquet").exists()
    dec, jan, feb = (pl.read_parquet(data / f"noegletal-{m}.parquet") for m in ("2026-12", "2027-01", "2027-02"))
    assert dec["year"][0] == 2026 and jan["year"][0] == 2027, "January's run reports the year that has just ended"
    assert jan["forecast_change"].null_count() == jan.height, "a new year is not compared with the old one"
    assert "Sidste måneds nøgletal gælder 2026" in (data / "rapport-2027-01.html").read_text(encoding="utf-8")
    t_jan, t_feb = jan.filter(pl.col("area") == "I alt").row(0, named=True), feb.filter(pl.col("area") == "I alt").row(0, named=True)
    assert t_feb["forecast_change"] == t_feb["forecast"] - t_jan["forecast"]
    # the history after three appends equals February's extract alone
    alone = tmp_path / "alone.parquet"
    from click.testing import CliRunner

    from tariffkit.cli import cli

    r = CliRunner().invoke(cli, ["import-dss", str(extracts / "udtraek-2027-02.csv"), "--key-file", str(tmp_path / "k.key"), "-o", str(alone)])
    assert r.exit_code == 0, r.output
    assert forecast(data / "payments.parquet", D(2027, 2, 28)).equals(forecast(alone, D(2027, 2, 28)))
    # a re-run of February (cron retried after a fix) changes nothing
    before = (data / "payments.parquet").read_bytes()
    assert _run_month(tmp_path, data, extracts, "2027-03-03", env).returncode == 0
    assert (data / "payments.parquet").read_bytes() == before
