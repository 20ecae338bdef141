"""reassign: schedules → hours → levels, flags, consequences, template round trip, bad rows."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from conftest import SAMPLE, cpr_patterns

from tariffkit.errors import DataError
from tariffkit.schedules import by_offer, parse_lines, parse_phase_in, reassign
from tariffkit.tariffs import parse_structure

STRUCTURE = parse_structure(
    {
        "levels": [
            {"level": 1, "min_hours": 0, "max_hours": 9},
            {"level": 2, "min_hours": 9, "max_hours": 15},
            {"level": 3, "min_hours": 15, "max_hours": 22},
            {"level": 4, "min_hours": 22, "max_hours": 30},
            {"level": 5, "min_hours": 30, "max_hours": 40},
        ]
    }
)
TARIFF = {1: 300_000, 2: 400_000, 3: 500_000, 4: 600_000, 5: 700_000}
HEADER = "CPR-nr.;Tilbudsnr.;Aktivitetsnr.;Beskrivelse;Paragraf;Starttidspunkt;Minutter;Hyppighed;Normering;Vurderede minutter;Bemærkning"


def tariffs(offer="T1", pwh=10_000):
    return pl.DataFrame(
        {
            "offer_id": offer,
            "year": 2026,
            "tariff_kind": "level",
            "level": list(TARIFF),
            "min_hours": 0.0,
            "max_hours": 1.0,
            "hours": 1.0,
            "annual_tariff": [Decimal(v) for v in TARIFF.values()],
            "monthly_tariff": Decimal(0),
            "daily_tariff": Decimal(0),
            "fixed_part": Decimal(0),
            "ata_part": Decimal(0),
            "price_per_weekly_hour": Decimal(pwh),
        }
    ).with_columns(
        pl.col(c).cast(pl.Decimal(18, 2)) for c in ("annual_tariff", "monthly_tariff", "daily_tariff", "fixed_part", "ata_part", "price_per_weekly_hour")
    )


def lines(*rows, citizen="c1", offer="T1"):
    """rows: (paragraph, start, minutes, frequency, staffing, assessed)"""
    cols = ["paragraph", "start_time", "minutes", "frequency", "staffing", "assessed_minutes"]
    df = pl.DataFrame([dict(zip(cols, r)) for r in rows], schema={c: pl.String for c in cols})
    return df.with_columns(
        citizen_id=pl.lit(citizen),
        offer_id=pl.lit(offer),
        _file=pl.lit("s.csv"),
        _row=pl.int_range(2, pl.len() + 2, dtype=pl.Int64),
        line_no=pl.int_range(1, pl.len() + 1).cast(pl.String),
    )


def placed(level, citizen="c1", offer="T1", origin="own"):
    return pl.DataFrame(
        {"citizen_id": [citizen], "offer_id": [offer], "level": [level], "origin": [origin], "municipality": [None]},
        schema={"citizen_id": pl.String, "offer_id": pl.String, "level": pl.Int16, "origin": pl.String, "municipality": pl.String},
    )


def run_core(text, placements=None, **kw):
    good, problems = parse_lines(text)
    return reassign(good, placements, tariffs(), STRUCTURE, problems=problems, **kw).row(0, named=True)


@pytest.mark.parametrize(
    "text,per_week,days",
    [
        ("Alle ugens 7 dage", 7, "all"),
        ("dagligt", 7, "all"),
        ("Hverdage", 5, "weekdays"),
        ("Weekend", 2, "weekend"),
        ("3 gange om ugen", 3, None),
        ("1 gang om ugen", 1, None),
        ("2 gange pr. uge", 2, None),
        ("Månedligt", 12 / 52, None),
        ("2 gange om måneden", 24 / 52, None),
        ("Hver anden uge", 0.5, None),
        ("4", 4, None),
        ("2,5", 2.5, None),
        # BDO's notation (Bilag 2)
        ("2 x dagligt", 14, "all"),
        ("2 gange ugentligt", 2, None),
        ("2 gange månedligt", 24 / 52, None),
        ("Fredag", 1, None),
        ("mandag og torsdag", 2, None),
        ("man, ons, fre", 3, None),
        ("man-fre", 5, "weekdays"),
        ("lørdag og søndag", 2, "weekend"),
        ("mandag-fredag", 5, "weekdays"),
        ("tirsdag/torsdag", 2, None),
    ],
)
def test_each_frequency_form(text, per_week, days):
    from tariffkit.notation import day_class, frequency

    times, d = frequency(text)
    assert times == pytest.approx(per_week) and day_class(d) == days


@pytest.mark.parametrize("text", ["Af og til", "", "om ugen", "1:1", "fredag-mandag", "2 x årligt"])
def test_unknown_frequency_is_refused(text):
    from tariffkit.notation import frequency

    assert frequency(text) is None


@pytest.mark.parametrize("text,staff,share", [("1:1", 1, 1), ("1:3", 1, 3), ("2:1", 2, 1), (" 1 : 4 ", 1, 4), ("1:Flere", 1, 3), ("4:flere", 4, 3)])
def test_each_staffing_form(text, staff, share):
    from tariffkit.notation import staffing

    assert staffing(text) == (staff, share)


def test_several_without_a_number_follows_the_structure():
    from tariffkit.notation import staffing

    assert staffing("1:Flere", shared_citizens=5) == (1, 5)


@pytest.mark.parametrize("text", ["1:n", "0:1", "to til en", "1/1", "1:0"])
def test_bad_staffing_is_refused(text):
    from tariffkit.notation import staffing

    assert staffing(text) is None


@pytest.mark.parametrize(
    "text,key,also", [("83", "SEL 83", ()), ("85", "SEL 85", ()), ("83/85", "SEL 83", ("SEL 85",)), ("SUL", "SUL", ()), ("SUL § 138", "SUL 138", ())]
)
def test_bdo_paragraphs(text, key, also):
    from tariffkit.notation import paragraph

    assert paragraph(text) == (key, also)


def test_a_combined_83_85_line_counts_towards_the_level():
    """§ 83/85 is support partly under § 85: with § 85 an ATA paragraph, the line counts."""
    good, problems = parse_lines(lines(("83/85", "07:00", "60", "Alle ugens 7 dage", "1:1", None), ("83", "08:00", "60", "Alle ugens 7 dage", "1:1", None)))
    assert problems.height == 0
    res = reassign(good, None, None, STRUCTURE).row(0, named=True)
    assert res["hours_registered"] == pytest.approx(7.0) and res["hours_other"] == pytest.approx(7.0)


def test_weekly_minutes_formula_and_non_ata_paragraphs():
    r = run_core(
        lines(
            ("§ 85", "07:00", "60", "Alle ugens 7 dage", "1:1", None),  # 420 min
            ("§ 85", "13:00", "90", "Hverdage", "1:3", None),  # 150 min
            ("§ 85", "08:00", "30", "Weekend", "2:1", None),  # 120 min
            ("§ 85", None, "52", "Månedligt", "1:1", None),  # 12 min
            ("§ 83", "10:00", "60", "1 gang om ugen", "1:1", None),  # not ATA
            ("SUL § 138", "11:00", "30", "2 gange om ugen", "1:1", None),  # not ATA
        ),
        placed(1),
    )
    assert r["hours_registered"] == pytest.approx((420 + 150 + 120 + 12) / 60)
    assert r["hours_other"] == pytest.approx(2.0)
    assert r["hours_assessed"] is None and r["hours_counted"] == r["hours_registered"]
    assert r["new_level"] == 2


@pytest.mark.parametrize("minutes,level,supp", [(539, 1, 0.0), (540, 2, 0.0), (899, 2, 0.0), (900, 3, 0.0), (2399, 5, 0.0), (2400, 5, 0.0), (2700, 5, 5.0)])
def test_level_boundaries_lower_inclusive_upper_exclusive(minutes, level, supp):
    parts = [1000] * (minutes // 1000) + ([minutes % 1000] if minutes % 1000 else [])
    r = run_core(lines(*[("§ 85", None, str(m), "1", "1:1", None) for m in parts]), placed(level))
    assert r["new_level"] == level
    assert r["supplement_hours"] == pytest.approx(supp)
    assert ("above_top_band" in r["flags"]) == (minutes >= 2400)


def test_five_plus_supplement_priced_with_price_per_weekly_hour():
    r = run_core(lines(("§ 85", None, "1350", "2", "1:1", None)), placed(5))
    assert r["new_tariff"] == Decimal(700_000 + 5 * 10_000)
    assert r["annual_change"] == Decimal(50_000)


def test_assessed_minutes_decide_the_level():
    r = run_core(
        lines(
            ("§ 85", "07:00", "100", "Alle ugens 7 dage", "1:1", "60"),  # 700 → 420 min
            ("§ 85", "12:00", "60", "Hverdage", "1:1", None),  # kept: 300
        ),
        placed(3),
        options=__import__("tariffkit.schedules", fromlist=["x"]).ReassignOptions(tolerance=0.1),
    )
    assert r["hours_registered"] == pytest.approx(1000 / 60)
    assert r["hours_assessed"] == pytest.approx(720 / 60)
    assert r["new_level"] == 2 and r["current_level"] == 3
    assert set(r["flags"]) >= {"assessment_gap", "level_change", "outside_band"}
    assert r["annual_change"] == Decimal(-100_000)


@pytest.mark.parametrize(
    "a, b, overlap",
    [
        (("07:00", "45", "Alle ugens 7 dage", "1:1"), ("07:30", "30", "Alle ugens 7 dage", "1:1"), True),
        (("07:00", "45", "Hverdage", "1:1"), ("07:30", "30", "Alle ugens 7 dage", "2:1"), True),
        (("07:00", "45", "Hverdage", "1:1"), ("07:30", "30", "Weekend", "1:1"), False),
        # an individual line at the same time as a shared one: the citizen cannot be in both
        (("07:00", "45", "Alle ugens 7 dage", "1:1"), ("07:30", "30", "Alle ugens 7 dage", "1:3"), True),
        (("07:00", "45", "Alle ugens 7 dage", "1:3"), ("07:30", "30", "Alle ugens 7 dage", "1:Flere"), False),  # two shared: no finding
        (("07:00", "30", "Alle ugens 7 dage", "1:1"), ("07:30", "30", "Alle ugens 7 dage", "1:1"), False),  # back to back (equality)
        (("07:00", "31", "Alle ugens 7 dage", "1:1"), ("07:30", "30", "Alle ugens 7 dage", "1:1"), True),  # one minute over
        # across midnight: 23:30 + 60 minutes runs into 00:30 the next day, Sunday's into Monday's
        (("23:30", "60", "Alle ugens 7 dage", "1:1"), ("00:00", "30", "Alle ugens 7 dage", "1:1"), True),
        (("23:30", "60", "Søndag", "1:1"), ("00:10", "30", "Mandag", "1:1"), True),
        (("23:30", "60", "Lørdag", "1:1"), ("00:10", "30", "Mandag", "1:1"), False),
        (("23:30", "30", "Søndag", "1:1"), ("00:00", "30", "Mandag", "1:1"), False),
        (("10:00", "60", "Fredag", "1:1"), ("10:30", "30", "Fredag", "1:1"), True),
        (("10:00", "60", "Fredag", "1:1"), ("10:30", "30", "Torsdag", "1:1"), False),
        # a line without fixed days meets the daily lines whatever day it falls on, and only those
        (("10:00", "60", "2 gange ugentligt", "1:1"), ("10:30", "30", "Alle ugens 7 dage", "1:3"), True),
        (("10:00", "60", "2 gange ugentligt", "1:1"), ("10:30", "30", "Fredag", "1:1"), False),
        (("10:00", "60", "1 gang om ugen", "1:1"), ("10:30", "30", "2 gange ugentligt", "1:1"), False),
        (("23:00", "90", "Alle ugens 7 dage", "1:1"), ("00:15", "30", "Månedligt", "1:1"), True),
    ],
)
def test_overlap_rule(a, b, overlap):
    r = run_core(lines(("§ 85", a[0], a[1], a[2], a[3], None), ("§ 85", b[0], b[1], b[2], b[3], None)), placed(1))
    assert ("overlap" in r["flags"]) is overlap


def test_more_than_24_staffed_hours_in_a_day():
    r = run_core(lines(("§ 85", "00:00", "1000", "Alle ugens 7 dage", "1:1", None), ("§ 85", None, "500", "Hverdage", "1:1", None)), placed(5))
    assert "over_24_hours" in r["flags"]
    ok = run_core(lines(("§ 85", "00:00", "1000", "Alle ugens 7 dage", "1:1", None), ("§ 85", None, "500", "Weekend", "1:2", None)), placed(5))
    assert "over_24_hours" not in ok["flags"]


def test_tolerance_decides_assessment_gap():
    text = lines(("§ 85", None, "100", "1", "1:1", "92"))
    from tariffkit.schedules import ReassignOptions

    assert "assessment_gap" not in run_core(text, placed(1), options=ReassignOptions(tolerance=0.10))["flags"]
    assert "assessment_gap" in run_core(text, placed(1), options=ReassignOptions(tolerance=0.05))["flags"]


def test_service_drift_outside_band_without_level_change_when_no_schedule_change():
    r = run_core(lines(("§ 85", None, "60", "Alle ugens 7 dage", "1:1", None)), placed(1))  # 7 h, level 1
    assert r["flags"] == []
    drift = run_core(lines(("§ 85", None, "180", "Alle ugens 7 dage", "1:1", None)), placed(2))  # 21 h on level 2
    assert "outside_band" in drift["flags"] and drift["new_level"] == 3


def test_other_municipality_above_paid_level_and_missing_counterparts():
    text = pl.concat(
        [
            lines(("§ 85", None, "180", "Alle ugens 7 dage", "1:1", None), citizen="a"),
            lines(("§ 85", None, "60", "Alle ugens 7 dage", "1:1", None), citizen="b"),
        ]
    )
    pls = pl.concat([placed(2, citizen="a", origin="other"), placed(1, citizen="z")])
    good, problems = parse_lines(text)
    res = reassign(good, pls, tariffs(), STRUCTURE, problems=problems)
    flags = {r["citizen_id"]: r["flags"] for r in res.iter_rows(named=True)}
    assert "above_paid_level" in flags["a"]
    assert "no_placement" in flags["b"]
    assert "no_schedule" in flags["z"]
    off = by_offer(res, [])
    row = off.row(0, named=True)
    assert row["citizens"] == 3 and row["citizens_other"] == 1 and row["not_priced"] == 2
    assert row["other_above_paid_level"] == 1 and row["other_above_paid_level_amount"] == Decimal(100_000)
    assert row["change"] == row["income_new"] - row["income_current"] == Decimal(100_000)
    assert (row["phase_share"], row["phased_change"], row["change_own"]) == (1.0, 0, 0)  # (only own citizens are phased; a is another municipality's)


def test_phase_in_moves_the_budget_by_the_share():
    res = reassign(parse_lines(lines(("§ 85", None, "180", "Alle ugens 7 dage", "1:1", None)))[0], placed(2), tariffs(), STRUCTURE)
    off = by_offer(res, parse_phase_in("2026:0.5,2027:1.0"))
    assert off["phase_year"].to_list() == [2026, 2027]
    assert off["phased_change"].to_list() == [Decimal(50_000), Decimal(100_000)]
    whole = by_offer(res, []).row(0, named=True)  # no phase-in: the whole change at once
    assert (whole["phase_year"], whole["phase_share"], whole["phased_change"]) == (None, 1.0, Decimal(100_000))


def test_phased_change_is_the_exact_share_rounded_once():
    """45 kr × 70 % = 31.5 kr: 32 kr, away from zero (as floats 31.4999…: 31)."""
    res = reassign(parse_lines(lines(("§ 85", None, "180", "Alle ugens 7 dage", "1:1", None)))[0], placed(2), tariffs(), STRUCTURE)
    res = res.with_columns(annual_change=pl.lit(Decimal(45)).cast(pl.Decimal(18, 2)))
    assert by_offer(res, parse_phase_in("2026:0.7"))["phased_change"].to_list() == [Decimal(32)]


def test_reassign_schedules_from_a_notebook_refuses_or_flags_bad_lines():
    """The library call behind `tariffkit reassign`: a bad line stops it (file, row, column), or
    with on_error="flag" is left out and its citizen flagged; the per-offer table follows."""
    from tariffkit.errors import DataError
    from tariffkit.schedules import reassign_schedules

    good = lines(("§ 85", None, "180", "Alle ugens 7 dage", "1:1", None), citizen="a")
    bad = lines(("§ 85", None, "180", "Alle ugens 7 dage", "1:1", None), ("§ 85", None, "x", "Alle ugens 7 dage", "1:1", None), citizen="b")
    current = pl.concat([placed(2, citizen="a"), placed(2, citizen="b")])
    with pytest.raises(DataError) as e:
        reassign_schedules([good, bad], STRUCTURE, current=current, tariffs=tariffs(), files=["a.csv", "s.csv"])
    assert (e.value.file, e.value.row) == ("s.csv", 3) and e.value.column
    run = reassign_schedules([good, bad], STRUCTURE, current=current, tariffs=tariffs(), on_error="flag")
    flags = {r["citizen_id"]: r["flags"] for r in run.citizens.iter_rows(named=True)}
    assert "invalid_lines" in flags["b"] and "invalid_lines" not in flags["a"]
    assert run.problems.height == 1 and run.lines.height == 2
    assert run.by_offer([(2026, 0.5)])["citizens"].to_list() == [2]
    with pytest.raises(DataError, match="no lines"):
        reassign_schedules([good.clear()], STRUCTURE, files=["empty.csv"])


@pytest.mark.parametrize("bad", ["2026", "2026:1.5", "2027:0.5,2026:1", "x:y"])
def test_phase_in_usage_errors(bad):
    from tariffkit.errors import UsageError

    with pytest.raises(UsageError):
        parse_phase_in(bad)


def _csv(tmp_path, *rows, name="s.csv"):
    p = tmp_path / name
    p.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return p


def _tariff_file(tmp_path):
    p = tmp_path / "t.parquet"
    tariffs().write_parquet(p)
    return p


def _structure_file(tmp_path):
    p = tmp_path / "levels.toml"
    p.write_text((SAMPLE / "levels.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "row,column",
    [
        ("700101-1234;T1;1;x;§ 85;07:00;-30;Alle ugens 7 dage;1:1;;", "Minutter"),
        ("700101-1234;T1;1;x;§ 85;07:00;abc;Alle ugens 7 dage;1:1;;", "Minutter"),
        ("700101-1234;T1;1;x;§ 85;07:00;30;Af og til;1:1;;", "Hyppighed"),
        ("700101-1234;T1;1;x;§ 85;07:00;30;Hverdage;1:n;;", "Normering"),
        ("700101-1234;T1;1;x;;07:00;30;Hverdage;1:1;;", "Paragraf"),
        ("700101-1234;T1;1;x;§ 85;25:99;30;Hverdage;1:1;;", "Starttidspunkt"),
        ("700101-1234;T1;1;x;§ 85;07:00;30;Hverdage;1:1;-5;", "Vurderede minutter"),
        ("7001011234X;T1;1;x;§ 85;07:00;30;Hverdage;1:1;;", "CPR-nr."),
    ],
)
def test_bad_rows_named_with_row_and_column(run, tmp_path, row, column):
    good = "700101-1234;T1;1;x;§ 85;07:00;30;Hverdage;1:1;;"
    f = _csv(tmp_path, good, row)
    out = tmp_path / "r.parquet"
    r = run("reassign", f, "--structure", _structure_file(tmp_path), "--tariffs", _tariff_file(tmp_path), "-o", out)
    assert r.exit_code == 1
    assert f"row 3, column {column}" in r.stderr and str(f) in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()
    assert "7001011234" not in r.stderr and "700101-1234" not in r.stderr


def test_on_error_flag_keeps_going_and_names_the_row(run, tmp_path):
    f = _csv(tmp_path, "700101-1234;T1;1;x;§ 85;07:00;600;Alle ugens 7 dage;1:1;;", "700101-1234;T1;2;x;§ 85;12:00;abc;Hverdage;1:1;;")
    out = tmp_path / "r.parquet"
    r = run("reassign", f, "--structure", _structure_file(tmp_path), "--tariffs", _tariff_file(tmp_path), "--on-error", "flag", "-o", out)
    assert r.exit_code == 0, r.stderr
    row = pl.read_parquet(out).row(0, named=True)
    assert "invalid_lines" in row["flags"] and row["hours_registered"] == pytest.approx(70.0)
    assert row["notes"] == [
        f"{f}, row 3, column Minutter (minutes): expected minutes as a whole number of at least 0 (negative or decimal minutes are not allowed), found 'abc'"
    ]


def test_template_filled_in_and_read_back(run, tmp_path):
    from openpyxl import load_workbook

    tpl = tmp_path / "døgnskema.xlsx"
    r = run("reassign", "--template", "--sheets", 2, "-o", tpl)
    assert r.exit_code == 0
    wb = load_workbook(tpl)
    ws = wb["Borger 1"]
    assert ws["A1"].value == "Døgnskema" and [c.value for c in ws[7]][:9][5] == "Hyppighed"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any(k.startswith("F8") and "Lister" in v for k, v in lists.items())  # frequency drop-down
    assert any(k.startswith("G8") for k in lists) and any(k.startswith("C8") for k in lists)
    ws["B2"], ws["B3"] = "700101-1234", "T1"
    for i, row in enumerate(
        [
            (1, "Morgen", "§ 85", "07:00", 60, "Alle ugens 7 dage", "1:1", 45, None),
            (2, "Rengøring", "§ 83", "10:00", 60, "1 gang om ugen", "1:1", None, None),
            (3, "Samtale", "§ 85", "15:00", 30, "2 gange om ugen", "1:1", None, None),
        ],
        start=8,
    ):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=v)
    ws.cell(row=10, column=12, value="samtale")  # Kategori
    wb.save(tpl)
    out, sl = tmp_path / "r.parquet", tmp_path / "sl.parquet"
    r = run("reassign", tpl, "--structure", _structure_file(tmp_path), "--tariffs", _tariff_file(tmp_path), "--service-levels", sl, "-o", out)
    assert r.exit_code == 0, r.stderr
    assert dict(zip(*pl.read_parquet(sl).select("category", "minutes_per_week").to_dict(as_series=False).values())) == {"samtale": 60, "øvrige": 315 + 60}
    row = pl.read_parquet(out).row(0, named=True)
    assert row["hours_registered"] == pytest.approx((420 + 60) / 60)
    assert row["hours_assessed"] == pytest.approx((315 + 60) / 60)
    assert row["hours_other"] == pytest.approx(1.0)
    assert row["offer_id"] == "T1" and row["new_level"] == 1


def test_template_is_deterministic(run, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    run("reassign", "--template", "-o", a)
    run("reassign", "--template", "-o", b)
    assert a.read_bytes() == b.read_bytes()


def test_sample_finds_the_planted_overlaps_and_never_writes_a_cpr(run, tmp_path):
    t = tmp_path / "t.parquet"
    base = pl.read_csv(SAMPLE / "placeringer.csv", separator=";", infer_schema=False)
    offers = sorted(set(base["Tilbudsnr."].to_list()))
    pl.concat([tariffs(o) for o in offers]).write_parquet(t)
    out, off = tmp_path / "r.parquet", tmp_path / "o.parquet"
    r = run(
        "reassign",
        SAMPLE / "doegnskemaer.csv",
        "--structure",
        SAMPLE / "levels.toml",
        "--tariffs",
        t,
        "--placements",
        SAMPLE / "placeringer.csv",
        "--key-file",
        SAMPLE / "demo.key",
        "--by-offer",
        off,
        "--phase-in",
        "2026:0.5,2027:1",
        "-o",
        out,
    )
    assert r.exit_code == 0, r.stderr
    res = pl.read_parquet(out)
    findings = (SAMPLE / "FINDINGS.md").read_text(encoding="utf-8")
    planted = int(findings.split("**Overlapping 1:1 activities**: ")[1].split(" ")[0])
    flagged = res.filter(pl.col("flags").list.contains("overlap"))
    # the planted pairs, and one more the generator did not mean: an occasional 545-minute
    # doctor's visit (no fixed days) that runs into a daily shared activity (tests/test_overlaps.py
    # checks every flag against the minute-by-minute oracle)
    assert flagged.height == planted + 1
    others = int(findings.split("**Other municipalities' citizens**: ")[1].split(" ")[0])
    assert res.filter(pl.col("origin") == "other").height == others
    o = pl.read_parquet(off)
    assert o.filter(pl.col("phase_year") == 2027)["change"].sum() == res["annual_change"].sum()
    cprs = set(base["CPR-nr."].to_list())
    blob = out.read_bytes() + off.read_bytes() + r.stderr.encode()
    for pat in cpr_patterns(cprs):
        assert pat.encode() not in blob


@pytest.mark.parametrize(
    "minutes,frequency,per_day",
    [
        (60, "Alle ugens 7 dage", 60),  # Åse line 1: support getting up, 07:00
        (10, "Alle ugens 7 dage", 10),  # line 3: prompt to the toilet before the bus
        (10, "2 x dagligt", 20),  # line 4: medicine twice a day (SUL)
        (60, "Weekend", 17),  # line 9: lunch at weekends: BDO's 17
        (10, "Alle ugens 7 dage", 10),  # line 10: prompt to the toilet, 12:30
    ],
)
def test_citizen_time_per_line_as_bdo_prints_it(minutes, frequency, per_day):
    """BDO's Bilag 2 ("Åse"), the lines legible in the seed: "Tid pr. dag" = minutes × times a
    week / 7, whole minutes."""
    from tariffkit.notation import frequency as freq
    from tariffkit.notation import minutes_per_day

    assert minutes_per_day(minutes, freq(frequency)[0]) == per_day


def test_citizen_time_counts_every_line_in_full():
    """Citizen time (what BDO prints) counts shared time in full and all paragraphs; the level's
    staff time divides shared time and counts ATA paragraphs only."""
    good, _ = parse_lines(
        lines(
            ("85", "07:00", "60", "Alle ugens 7 dage", "1:1", None),
            ("85", "12:00", "60", "Weekend", "1:Flere", None),
            ("SUL", "07:30", "10", "2 x dagligt", "1:1", None),
        )
    )
    r = reassign(good, None, None, STRUCTURE).row(0, named=True)
    assert r["citizen_minutes_per_day"] == pytest.approx(60 + 60 * 2 / 7 + 20, abs=0.01)
    assert r["hours_registered"] == pytest.approx((60 * 7 + 60 * 2 / 3) / 60), "staff time: 1:Flere shared by 3"


def assessed_lines(*rows):
    """rows: (paragraph, minutes, frequency, assessed minutes, assessed paragraph, to discuss)"""
    df = lines(*[(p, None, m, f, "1:1", a) for p, m, f, a, _, _ in rows])
    return df.with_columns(assessed_paragraph=pl.Series([r[4] for r in rows], dtype=pl.String), to_discuss=pl.Series([r[5] for r in rows], dtype=pl.String))


def test_the_caseworker_moves_a_line_to_another_paragraph_and_marks_one_to_discuss():
    # line 1: § 85, 60 min a day, assessed 45; line 2: § 85, 30 min a day, moved to "Ny § 83" (financed
    # elsewhere); line 3: § 85, 20 min a day, to be discussed.
    # registered ATA: (60 + 30 + 20) × 7 / 60 = 12.833 h/week; assessed ATA: (45 + 20) × 7 / 60 = 7.583
    # (the moved line leaves the level); citizen time: 110 min a day registered, 45 + 30 + 20 = 95
    # assessed (the moved line is still time the citizen gets): a potential of 15 minutes a day,
    # and (12.833 − 7.583) × 10,000 = 52,500 kr a year at 10,000 kr per weekly hour.
    r = run_core(
        assessed_lines(
            ("§ 85", "60", "dagligt", "45", None, None),
            ("§ 85", "30", "dagligt", None, "Ny § 83", ""),
            ("§ 85", "20", "dagligt", None, None, "ja"),
        ),
        placed(2),
    )
    assert r["hours_registered"] == pytest.approx(110 * 7 / 60) and r["hours_assessed"] == pytest.approx(65 * 7 / 60)
    assert r["hours_other"] == pytest.approx(30 * 7 / 60)
    assert r["citizen_minutes_per_day"] == pytest.approx(110) and r["citizen_minutes_per_day_assessed"] == pytest.approx(95)
    assert r["potential_minutes_per_day"] == pytest.approx(15)
    assert r["potential_per_year"] == Decimal(52_500)
    assert r["lines_to_discuss"] == 1 and "to_discuss" in r["flags"]


def test_a_move_alone_is_an_assessment():
    r = run_core(assessed_lines(("§ 85", "60", "dagligt", None, None, None), ("§ 85", "60", "dagligt", None, "§ 83", None)), placed(2))
    assert r["hours_assessed"] == pytest.approx(7.0) and r["hours_counted"] == pytest.approx(7.0)


@pytest.mark.parametrize("column,value,words", [("assessed_paragraph", "Ny § xyz", "Vurderet paragraf"), ("to_discuss", "måske", "Skal drøftes")])
def test_bad_assessment_columns_are_refused_with_row_and_column(column, value, words):
    rows = [("§ 85", "60", "dagligt", None, None, None)]
    df = assessed_lines(*rows).with_columns(pl.lit(value).alias(column))
    good, problems = parse_lines(df)
    assert good.height == 0 and problems.height == 1 and words in problems["column"][0] and problems["_row"][0] == 2


def test_the_template_has_the_assessment_columns():
    import io

    from openpyxl import load_workbook

    from tariffkit.schedules import write_template

    ws = load_workbook(io.BytesIO(write_template()))["Borger 1"]
    heads = [c.value for c in ws[7]]
    assert "Vurderet paragraf" in heads and "Skal drøftes" in heads and heads[-2:] == ["Bemærkning", "Kategori"]


def test_current_levels_from_payments_are_the_latest_months_actual_lines():
    """reassign --payments: a citizen is placed if an actual line with an amount covers the last
    month of actual spending, at the level of the latest such line; an earlier stay, a correction
    only, a commitment and a line without a level do not place anyone."""
    import datetime as dt

    from tariffkit.errors import DataError
    from tariffkit.schedules import placements_from_payments
    from tests.test_haap import pay

    D = dt.date
    rows = [
        ("a", 2, D(2026, 9, 1), D(2026, 9, 30), 100),
        ("a", 2, D(2026, 10, 1), D(2026, 10, 15), 100),
        ("a", 3, D(2026, 10, 16), D(2026, 10, 31), 100),  # moved up mid-month: the latest line's level
        ("b", 1, D(2026, 6, 1), D(2026, 8, 31), 100),  # left before October
        ("c", 4, D(2026, 10, 1), D(2026, 10, 31), -100),  # a correction only
        ("d", 5, D(2026, 10, 1), D(2026, 12, 31), 100, "commitment"),
    ]
    got = placements_from_payments(pay(rows))
    assert got.rows() == [("a", "T1", 3, "own", None)]
    assert got.schema["level"] == pl.Int16
    with pytest.raises(DataError, match="no actual payment lines with a level") as e:
        placements_from_payments(pay(rows).with_columns(level=pl.lit(None, pl.Int16)))
    assert (e.value.file, e.value.column) == ("payments", "level")


def test_a_bad_row_of_a_flat_workbook_sheet_is_named_by_its_row_in_the_sheet(run, tmp_path):
    """A flat sheet (headers in row 1, as an export from the case system): the second line is
    row 3 of the sheet, and the error says so."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append("700101-1234;T1;1;x;§ 85;07:00;30;Hverdage;1:1;;".split(";"))
    ws.append("700101-1234;T1;2;x;§ 85;07:00;abc;Hverdage;1:1;;".split(";"))
    f = tmp_path / "flad.xlsx"
    wb.save(f)
    out = tmp_path / "r.parquet"
    r = run("reassign", f, "--structure", _structure_file(tmp_path), "-o", out)
    assert r.exit_code == 1 and "row 3, column Minutter" in r.stderr and not out.exists()


def test_the_template_guides_the_user_and_its_lists_cover_exactly_the_choices():
    """The first sheet is the Danish guide with its title in bold; each drop-down list refers to
    exactly the choices on the hidden list sheet (a row too many offers an empty choice, one too
    few hides the last)."""
    import io

    from openpyxl import load_workbook

    from tariffkit.schedules.columns import FREQUENCY_CHOICES, PARAGRAPH_CHOICES, STAFFING_CHOICES
    from tariffkit.schedules.template import write_template

    wb = load_workbook(io.BytesIO(write_template(sheets=1)))
    assert wb.sheetnames[0] == "Vejledning" and wb["Vejledning"]["A1"].font.bold and wb["Vejledning"]["A1"].font.size == 14
    assert wb["Lister"].sheet_state == "hidden"
    ws = wb["Borger 1"]
    assert ws["A1"].font.bold and ws["A1"].font.size == 14
    # the header block's cells to fill in are yellow (B2–B5), their labels bold, nothing beside them
    assert [ws[f"B{r}"].fill.fgColor.rgb for r in range(2, 6)] == ["00FFF2CC"] * 4 and ws["C2"].fill.fill_type is None
    assert [ws[f"A{r}"].value for r in range(2, 6)] == ["CPR-nr.", "Tilbudsnr.", "Udfyldt af", "Dato"] and ws["A2"].font.bold
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists["F"] == f"=Lister!$A$2:$A${len(FREQUENCY_CHOICES) + 1}"
    assert lists["G"] == f"=Lister!$B$2:$B${len(STAFFING_CHOICES) + 1}"
    assert lists["C"] == f"=Lister!$C$2:$C${len(PARAGRAPH_CHOICES) + 1}" and lists["J"] == "=Lister!$D$2:$D$2"
    assert [c.value for c in wb["Lister"]["A"][1:]] == list(FREQUENCY_CHOICES)
    assert [c.value for c in wb["Lister"][1]] == ["Hyppighed", "Normering", "Paragraf", "Skal drøftes"]  # each list's heading
    assert [c.value for c in wb["Lister"]["D"][1:] if c.value] == ["ja"]


def test_a_start_time_with_a_dot_or_one_digit_hour_is_read_as_the_time():
    good, problems = parse_lines(lines(("§ 85", "8.30", "60", "dagligt", "1:1", None), ("§ 85", "9:05", "30", "dagligt", "1:1", None)))
    assert problems.height == 0 and good.sort("line_no")["start"].to_list() == [dt.time(8, 30), dt.time(9, 5)]


def test_assessed_zero_minutes_is_an_assessment_not_a_blank():
    """A caseworker who writes 0 assessed the line away: it is 0 minutes, not "not assessed"."""
    r = run_core(lines(("§ 85", None, "60", "dagligt", "1:1", "0"), ("§ 85", None, "60", "dagligt", "1:1", None)), placed(2))
    assert r["hours_registered"] == pytest.approx(14.0) and r["hours_assessed"] == pytest.approx(7.0)


def test_a_bad_value_is_echoed_short_and_never_as_a_cpr():
    long = "x" * 60
    good, problems = parse_lines(lines(("§ 85", None, "60", long, "1:1", None), ("§ 85", None, "60", "dagligt", "0101901234", None)))
    assert good.height == 0 and problems["column"].to_list() == ["Hyppighed (frequency)", "Normering (staffing)"]
    frequency, staffing = problems["reason"].to_list()
    assert frequency.startswith("expected a frequency: Alle ugens 7 dage, Hverdage, Weekend, a weekday (Fredag), 2 x dagligt")
    assert f"found '{'x' * 40}'" in frequency  # the value cut at 40 characters
    assert staffing == "expected a staffing like 1:1, 1:3, 2:1 or 1:Flere, found '(a CPR-shaped value, not shown)'"


def test_a_line_cannot_take_more_than_the_week_has():
    """24 hours every day of the week is the most one line can be (10,080 minutes); more, such as
    a number pasted into the frequency, is refused with the row and the column, not priced."""
    good, problems = parse_lines(
        lines(("§ 85", None, "1440", "7", "1:1", None), ("§ 85", None, "1440", "8", "1:1", None), ("§ 85", None, "60", "101901234", "1:1", None))
    )
    assert good["_row"].to_list() == [2]
    assert problems["_row"].to_list() == [3, 4] and set(problems["column"]) == {"Hyppighed (frequency)"}
    assert "more than the 10,080 minutes of a week" in problems["reason"][0]


def test_a_schedules_excel_times_and_dates_read_as_the_analyst_typed_them():
    """An Excel cell holding a time (a fraction of a day, a time, or a date-time on Excel's day
    zero) reads as HH:MM; a date as YYYY-MM-DD; a decimal number keeps its comma."""
    import datetime as dt

    from tariffkit.schedules.read import _cell_text

    assert _cell_text(14.5 / 24) == "14:30"  # 870 minutes: 14 hours, not 870 // 61
    assert _cell_text(7.75 / 24) == "07:45"
    assert _cell_text(dt.time(6, 5)) == "06:05"
    assert _cell_text(dt.datetime(1899, 12, 30, 22, 15)) == "22:15"
    assert _cell_text(dt.datetime(2026, 3, 1, 0, 0)) == "2026-03-01"
    assert _cell_text(2.5) == "2,5"
    assert _cell_text(3.0) == "3"
    assert _cell_text("  ") is None


def test_more_than_24_hours_a_day_at_the_boundary():
    """over_24_hours: a day's staffed minutes (× staff ÷ sharing) above 1,440, with activities
    without fixed days spread as their weekly times ÷ 7. 1,440 exactly is a full day, not more."""
    from tariffkit.schedules.hours import over_24_hours

    def flagged(rows):
        df = pl.DataFrame(
            rows,
            schema={
                "citizen_id": pl.String,
                "offer_id": pl.String,
                "minutes": pl.Float64,
                "staff": pl.Float64,
                "share": pl.Float64,
                "days": pl.String,
                "times_per_week": pl.Float64,
            },
            orient="row",
        )
        return over_24_hours(df).collect()["citizen_id"].to_list()

    assert flagged([("a", "T", 1440.0, 1.0, 1.0, "all", None)]) == []
    assert flagged([("a", "T", 1441.0, 1.0, 1.0, "weekdays", None)]) == ["a"]
    assert flagged([("a", "T", 721.0, 2.0, 1.0, "weekend", None)]) == ["a"]  # two staff
    assert flagged([("a", "T", 1500.0, 1.0, 2.0, "all", None)]) == []  # shared by two
    # 1,000 minutes a day plus 700 minutes 5 times a week spread over 7 days (500 a day)
    assert flagged([("a", "T", 1000.0, 1.0, 1.0, "all", None), ("a", "T", 700.0, 1.0, 1.0, None, 5.0)]) == ["a"]
    # 1,000 a day plus 100 minutes 7 times a week (100 a day): 1,100, not over
    assert flagged([("a", "T", 1000.0, 1.0, 1.0, "all", None), ("a", "T", 100.0, 1.0, 1.0, None, 7.0)]) == []


def test_reassigning_says_how_many_lines_are_bad_and_needs_a_schedule():
    """The first bad line is named (file, row, column); with more than one, how many in all."""
    from tariffkit.errors import DataError, UsageError
    from tariffkit.schedules.run import reassign_schedules

    bad = ("§ 85", None, "60", "sjældent", "1:1", None)
    ok = ("§ 85", None, "60", "dagligt", "1:1", None)
    with pytest.raises(DataError) as one:
        reassign_schedules([lines(ok, bad)], STRUCTURE)
    assert (one.value.file, one.value.row) == ("s.csv", 3) and "bad lines in all" not in one.value.message
    with pytest.raises(DataError) as two:
        reassign_schedules([lines(bad, ok, bad)], STRUCTURE)
    assert (two.value.file, two.value.row) == ("s.csv", 2) and "(2 bad lines in all; with `on_error` flag" in two.value.message
    with pytest.raises(UsageError, match="^`schedules`: give at least one schedule to place$"):
        reassign_schedules([], STRUCTURE)


def test_the_schedule_templates_guide_labels_and_checks():
    """What the caseworker sees: the guide's staffing line, the head's labels, each drop-down's
    prompt, and the minutes checked as whole minutes between 0 and 1,440."""
    import io

    from openpyxl import load_workbook

    from tariffkit.schedules.template import write_template

    wb = load_workbook(io.BytesIO(write_template(sheets=1)))
    guide = [c.value for c in wb["Vejledning"]["A"] if c.value]
    assert any(str(v).startswith("Normering: 1:1 = én medarbejder til borgeren;") for v in guide)
    ws = wb["Borger 1"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == ["CPR-nr.", "Tilbudsnr.", "Udfyldt af", "Dato"]
    prompts = {str(dv.sqref).split(":")[0][0]: dv.prompt for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert prompts["C"] == "Lovgrundlag" and prompts["F"] == "Hvor ofte?"
    minutes = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert len(minutes) == 2 and all((dv.operator, dv.formula1, dv.formula2) == ("between", "0", "1440") for dv in minutes)


@pytest.mark.parametrize("gone, header", [("frequency", "Hyppighed"), ("staffing", "Normering"), ("minutes", "Minutter")])
def test_a_schedule_without_a_needed_column_names_its_danish_header(gone, header):
    with pytest.raises(DataError) as e:
        parse_lines(lines(("§ 85", None, "60", "dagligt", "1:1", None)).drop(gone))
    assert e.value.message.startswith(f"missing column {header} ({gone});") and (e.value.file, e.value.row, e.value.column) == ("s.csv", 1, header)


def test_tariffs_for_a_year_they_do_not_hold_say_which_years_they_have():
    from tariffkit.schedules.hours import tariff_lookup

    with pytest.raises(DataError, match=r"no tariffs for 2026 \(the file has none\)") as e:
        tariff_lookup(tariffs().filter(pl.lit(False)), 2026, "takster.parquet")
    assert (e.value.file, e.value.column) == ("takster.parquet", "year")


def test_a_common_tariff_prices_every_offers_citizens_and_none_flags_nothing():
    """Tariffs of a common structure (offer ``*``) price a citizen on any offer; without any
    tariffs nothing is priced and no citizen is flagged for a missing tariff."""
    good, problems = parse_lines(lines(("§ 85", None, "120", "dagligt", "1:1", None)))
    r = reassign(good, placed(2), tariffs(offer="*"), STRUCTURE, problems=problems).row(0, named=True)
    assert r["current_tariff"] == Decimal(TARIFF[2]) and r["new_tariff"] is not None and "no_tariff" not in r["flags"]
    unpriced = reassign(good, placed(2), None, STRUCTURE, problems=problems).row(0, named=True)
    assert unpriced["current_tariff"] is None and "no_tariff" not in unpriced["flags"]
    elsewhere = reassign(good, placed(2), tariffs(offer="T9"), STRUCTURE, problems=problems).row(0, named=True)
    assert elsewhere["current_tariff"] is None and "no_tariff" in elsewhere["flags"]  # tariffs given, none for T1


def _workbook(tmp_path, name, sheets):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


def test_a_flat_schedule_sheet_keeps_every_full_line_and_skips_empty_ones(tmp_path):
    """A flat sheet (a CPR-nr. column in row 1): a line with every cell filled is a line; a row
    left empty between lines is skipped; each keeps its row number in the sheet."""
    from tariffkit.schedules.read import read_schedule_workbook

    head = ["CPR-nr.", "Tilbudsnr.", "Aktivitetsnr.", "Beskrivelse", "Paragraf", "Starttidspunkt", "Minutter", "Hyppighed", "Normering"]
    full = ["010190-1234", "T1", "1", "Morgen", "SEL § 108", "07:00", 30, "Dagligt", "1:1"]
    path = _workbook(tmp_path, "s.xlsx", [("Ark", [head, full, [None] * 9, full[:3] + ["Aften"] + full[4:]])])
    df = read_schedule_workbook(path.read_bytes(), "s.xlsx")
    assert df["_row"].to_list() == [2, 4] and df["Beskrivelse"].to_list() == ["Morgen", "Aften"]
    assert df["Minutter"].to_list() == ["30", "30"] and set(df["_file"]) == {"s.xlsx[Ark]"}


def test_a_workbook_without_a_schedule_and_a_parquet_file_with_cpr_are_refused(tmp_path):
    from tariffkit import io as tio
    from tariffkit.schedules.read import read_schedule_workbook, read_schedules

    path = _workbook(tmp_path, "s.xlsx", [("Vejledning", [["Sådan udfyldes skemaet"], ["…"]])])
    with pytest.raises(DataError) as e:
        read_schedule_workbook(path.read_bytes(), "s.xlsx")
    assert e.value.file == "s.xlsx"
    assert e.value.message == ("no schedule found: expected sheets from `tariffkit reassign --template` (A1 = Døgnskema) or a sheet with a CPR-nr. column")
    pq = tmp_path / "s.parquet"
    pl.DataFrame({"cpr": ["0101901234"], "offer_id": ["T1"]}).write_parquet(pq)
    with pytest.raises(DataError) as e:
        read_schedules(str(pq), tio.Inputs(), None)
    assert (e.value.file, e.value.column) == (str(pq), "CPR-nr.")
    assert e.value.message == "a Parquet schedules file must be pseudonymised (citizen_id, no CPR column)"
    ok = tmp_path / "ok.parquet"  # pseudonymised: read as it is, each line numbered and named by its file
    pl.DataFrame({"citizen_id": ["c1", "c2"], "offer_id": ["T1", "T1"]}).write_parquet(ok)
    got = read_schedules(str(ok), tio.Inputs(), None)
    assert got.select("citizen_id", "_row", "_file").rows() == [("c1", 1, str(ok)), ("c2", 2, str(ok))]
    wrong = tmp_path / "s.pq"  # named Parquet, but text inside: read as Parquet and refused as not one
    wrong.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_schedules(str(wrong), tio.Inputs(), None)
    assert e.value.file == str(wrong) and "Parquet" in e.value.message


def test_lines_to_discuss_add_up_per_offer_and_none_without_the_column():
    """Two citizens of one offer with 2 and 1 lines marked to discuss: the offer has 3; schedules
    without the column have no line to discuss and no flag."""
    two = assessed_lines(("§ 85", "60", "dagligt", None, None, "ja"), ("§ 85", "30", "dagligt", None, None, "ja"))
    one = assessed_lines(("§ 85", "20", "dagligt", None, None, "ja")).with_columns(citizen_id=pl.lit("c2"))
    good, _ = parse_lines(pl.concat([two, one]))
    res = reassign(good, pl.concat([placed(2), placed(1, citizen="c2")]), tariffs(), STRUCTURE)
    assert dict(zip(res["citizen_id"], res["lines_to_discuss"])) == {"c1": 2, "c2": 1}
    assert by_offer(res, [])["lines_to_discuss"].to_list() == [3]
    good, _ = parse_lines(lines(("§ 85", None, "60", "dagligt", "1:1", None)))
    res = reassign(good, placed(2), tariffs(), STRUCTURE)
    assert res["lines_to_discuss"].to_list() == [0] and "to_discuss" not in res["flags"][0]
    assert by_offer(res, [])["lines_to_discuss"].to_list() == [0]


def _template_sheet(cpr, offer, lines):
    head = ["Aktivitetsnr.", "Beskrivelse", "Paragraf", "Starttidspunkt", "Minutter", "Hyppighed", "Normering"]
    return [["Døgnskema"], ["CPR-nr.", cpr], ["Tilbudsnr.", offer], ["Udfyldt af"], ["Dato"], [], head, *lines]


def test_template_sheets_are_read_from_their_header_block_and_an_untouched_one_is_skipped(tmp_path):
    """A template sheet (A1 Døgnskema, in any case): CPR in B2, offer in B3, lines from row 8
    with their row numbers; a row shorter than the header is padded; a sheet left as it came
    (no lines, no CPR) is skipped; a sheet with lines but no CPR or offer number is refused at
    that cell."""
    from tariffkit.schedules.read import read_schedule_workbook

    line = ["1", "Morgen", "SEL § 85", "07:00", 30, "Dagligt", "1:1"]
    sheets = [
        ("Borger 1", _template_sheet("010190-1234", "T1", [line, [None] * 7, ["2", "Aften"]])),
        ("Borger 2", _template_sheet(None, None, [])),
        ("Borger 3", [[" DØGNSKEMA "], ["CPR-nr.", "020290-2345"], ["Tilbudsnr.", "T2"], [], [], [], _template_sheet("", "", [])[6], line]),
    ]
    df = read_schedule_workbook(_workbook(tmp_path, "s.xlsx", sheets).read_bytes(), "s.xlsx")
    assert df.select("_file", "_row", "Beskrivelse", "Minutter", "CPR-nr.", "Tilbudsnr.").rows() == [
        ("s.xlsx[Borger 1]", 8, "Morgen", "30", "010190-1234", "T1"),
        ("s.xlsx[Borger 1]", 10, "Aften", None, "010190-1234", "T1"),
        ("s.xlsx[Borger 3]", 8, "Morgen", "30", "020290-2345", "T2"),
    ]
    for cpr, offer, row, column, says in [
        (None, "T1", 2, "CPR-nr.", "the sheet has schedule lines but no CPR number in the header block"),
        ("010190-1234", None, 3, "Tilbudsnr.", "the sheet has schedule lines but no offer number in the header block"),
    ]:
        path = _workbook(tmp_path, "b.xlsx", [("Borger 1", _template_sheet(cpr, offer, [line]))])
        with pytest.raises(DataError) as e:
            read_schedule_workbook(path.read_bytes(), "b.xlsx")
        assert (e.value.file, e.value.row, e.value.column, e.value.message) == ("b.xlsx[Borger 1]", row, column, says)


def test_a_schedules_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path):
    from tariffkit import io as tio
    from tariffkit.schedules.read import read_schedule_workbook, read_schedules

    f = tmp_path / "s.xlsx"
    f.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_schedules(str(f), tio.Inputs(), None)
    assert (e.value.file, e.value.message) == (str(f), "expected an Excel .xlsx file, found something else")
    with pytest.raises(DataError) as e:
        read_schedule_workbook(b"PK\x03\x04 not really a zip", "z.xlsx")
    assert e.value.file == "z.xlsx" and e.value.message.startswith("cannot open as an Excel workbook (")


def test_lines_without_the_to_discuss_column_have_none_to_discuss():
    """A notebook's own schedule lines, in the contract but without its optional to_discuss
    column: no line is to be discussed (not every line)."""
    from tariffkit.schedules.hours import citizen_hours

    good, _ = parse_lines(lines(("§ 85", None, "60", "dagligt", "1:1", None), ("§ 85", None, "30", "dagligt", "1:1", None)))
    h = citizen_hours(good.drop("to_discuss"), STRUCTURE).collect()
    assert h["lines_to_discuss"].to_list() == [0]
    assert citizen_hours(good, STRUCTURE).collect()["lines_to_discuss"].to_list() == [0]


def test_tariffs_of_several_years_need_the_year_named():
    from tariffkit.errors import UsageError
    from tariffkit.schedules.hours import tariff_lookup

    two = pl.concat([tariffs(), tariffs().with_columns(year=pl.lit(2027))])
    with pytest.raises(UsageError) as e:
        tariff_lookup(two, None)
    assert str(e.value) == "the tariffs hold several years (2026, 2027); choose one with `year`"
    assert set(tariff_lookup(two, 2027)["level"]) == set(TARIFF)
    with pytest.raises(DataError) as e:
        tariff_lookup(two, 2025, file="t.parquet")
    assert (e.value.file, e.value.column, e.value.message) == ("t.parquet", "year", "no tariffs for 2025 (the file has 2026, 2027)")


def test_two_headers_that_mean_the_same_column_are_refused_by_name():
    from tariffkit.schedules.columns import SCHEDULE_HEADERS, rename_headers

    df = pl.DataFrame({"CPR-nr.": ["x"], "Minutter": ["10"], "minutes": ["20"]})
    with pytest.raises(DataError) as e:
        rename_headers(df, SCHEDULE_HEADERS, "s.csv")
    assert (e.value.file, e.value.column, e.value.message) == ("s.csv", "minutes", "two columns mean the same ('Minutter' and 'minutes' are both minutes)")


def test_the_potential_minutes_a_day_are_rounded_to_two_decimals():
    """A weekend line shortened from 10 to 5 minutes: 5 × 2 / 7 = 1.428571… minutes a day of
    potential, shown as 1.43."""
    r = run_core(assessed_lines(("§ 85", "10", "Weekend", "5", None, None)), placed(1))
    assert r["potential_minutes_per_day"] == 1.43


BAD_LINES = [
    # (case, column changed, value): one bad cell each; the problem names the column and says why
    ("no-paragraph", "paragraph", ""),
    ("paragraph-bogus", "paragraph", "§ 999x"),
    ("minutes-text", "minutes", "ti"),
    ("minutes-negative", "minutes", "-5"),
    ("minutes-decimal", "minutes", "7,5"),
    ("minutes-above-a-day", "minutes", "1441"),
    ("frequency-empty", "frequency", ""),
    ("frequency-bogus", "frequency", "af og til"),
    ("frequency-no-room", "frequency", "3 x dagligt"),
    ("staffing-empty", "staffing", ""),
    ("staffing-bogus", "staffing", "to voksne"),
    ("assessed-text", "assessed_minutes", "tyve"),
    ("start-bogus", "start_time", "morgen"),
    ("assessed-paragraph-bogus", "assessed_paragraph", "Ny § 999x"),
    ("to-discuss-bogus", "to_discuss", "måske"),
    ("cpr-shaped-minutes", "minutes", "010190-1234"),
]


@pytest.mark.parametrize("case, column, value", BAD_LINES, ids=[c[0] for c in BAD_LINES])
def test_a_bad_schedule_cell_is_named_with_its_column_and_reason(case, column, value, tmp_path):
    from conftest import golden

    row = {"paragraph": "§ 85", "start_time": "07:00", "minutes": "600", "frequency": "dagligt", "staffing": "1:1", "assessed_minutes": None}
    row[column] = value
    df = lines(tuple(row[c] for c in ("paragraph", "start_time", "minutes", "frequency", "staffing", "assessed_minutes")))
    df = df.with_columns(assessed_paragraph=pl.lit(row.get("assessed_paragraph"), pl.String), to_discuss=pl.lit(row.get("to_discuss"), pl.String))
    good, problems = parse_lines(df)
    assert good.height == 0 and problems.height == 1
    p = problems.row(0, named=True)
    assert (p["_file"], p["_row"]) == ("s.csv", 2) and "1234" not in p["reason"]
    golden("schedule_lines", case, f"{p['column']}: {p['reason']}", tmp_path)
