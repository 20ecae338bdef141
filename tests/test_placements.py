"""The whole offer: placements as stays, own and other municipalities' citizens in the
occupancy, the tariffs and the income, the negotiation list and the billing."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from conftest import SAMPLE

HEAD = "CPR-nr.;Tilbudsnr.;Funktionsniveau;Fra dato;Til dato;Oprindelse;Betalingskommune;Handlekommune"
D = dt.date


def plist(tmp_path, rows, name="p.csv"):
    f = tmp_path / name
    f.write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize(
    "rows,row,column,words",
    [
        (["700101-1234;T1;3;01-01-2026;31-12-2025;Egen borger;Eksempel Kommune;"], 2, "Til dato", "ends before it begins"),
        (["700101-1234;T1;3;01-01-2026;;Anden kommune;;"], 2, "Betalingskommune", "paying municipality"),
        (
            ["700101-1234;T1;3;01-01-2026;30-06-2026;Egen borger;Eksempel Kommune;", "700101-1234;T2;3;01-06-2026;;Egen borger;Eksempel Kommune;"],
            3,
            "Fra dato",
            "stays overlap",
        ),
        (["700101-1234;T1;3;31-02-2026;;Egen borger;Eksempel Kommune;"], 2, "valid_from", "a date"),
    ],
)
def test_bad_placements_are_refused_with_row_and_column(run, tmp_path, rows, row, column, words):
    r = run("occupancy", plist(tmp_path, rows), "--year", "2026", "-o", tmp_path / "o.parquet")
    assert r.exit_code == 1 and f"row {row}" in r.output and f"column {column}" in r.output and words in r.output
    assert not (tmp_path / "o.parquet").exists()


def test_occupancy_from_placements_shares_a_level_change_by_days(run, tmp_path):
    f = plist(
        tmp_path,
        [
            "700101-1234;T1;3;01-01-2026;15-01-2026;Anden kommune;Nabo Kommune;Nabo Kommune",
            "700101-1234;T1;4;16-01-2026;;Anden kommune;Nabo Kommune;Nabo Kommune",
            "700202-1234;T1;2;01-07-2026;;Egen borger;Eksempel Kommune;Eksempel Kommune",
        ],
    )
    out = tmp_path / "o.parquet"
    r = run("occupancy", f, "--year", "2026", "-o", out)
    assert r.exit_code == 0, r.output
    o = {(x["level"], x["origin"]): x["haap"] for x in pl.read_parquet(out).iter_rows(named=True)}
    assert o[(3, "other")] == pytest.approx(15 / 31 / 12)
    assert o[(4, "other")] == pytest.approx(11 / 12 + 16 / 31 / 12), "an open stay runs to year end"
    assert o[(2, "own")] == pytest.approx(6 / 12)


def _sample_occupancy(run, tmp_path):
    pay = tmp_path / "pay.parquet"
    assert run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv", "--key-file", SAMPLE / "demo.key", "-o", pay).exit_code == 0
    assert run("import-dss", SAMPLE / "dss-udtraek-2026-10.csv", "--key-file", SAMPLE / "demo.key", "-o", pay, "--append").exit_code == 0
    occ, check = tmp_path / "occ.parquet", tmp_path / "check.parquet"
    r = run(
        "occupancy",
        SAMPLE / "placeringer.csv",
        "--payments",
        pay,
        "--as-of",
        "2026-10-31",
        "--offers",
        SAMPLE / "offers.csv",
        "--key-file",
        SAMPLE / "demo.key",
        "--check",
        check,
        "-o",
        occ,
    )
    assert r.exit_code == 0, r.output
    return pay, occ, check


def test_sample_occupancy_includes_other_municipalities_and_reconciles(run, tmp_path):
    pay, occ, check = _sample_occupancy(run, tmp_path)
    o = pl.read_parquet(occ)
    assert set(o["origin"].unique().to_list()) == {"own", "other"}
    assert o.filter(pl.col("origin") == "other")["source"].unique().to_list() == ["placements"]
    # own HÅP is compute-haap's on the payments, to the digit
    from tariffkit.haap import HaapOptions, compute

    h = compute(
        pl.read_parquet(pay).filter(pl.col("provider") == "internal"),
        HaapOptions(by=("offer_id", "level"), start=D(2026, 1, 1), end=D(2026, 12, 1), period_label="2026", as_of=D(2026, 10, 31)),
    )
    assert o.filter(pl.col("origin") == "own")["haap"].sum() == pytest.approx(h["haap"].sum())
    c = pl.read_parquet(check)
    whole = c.filter(pl.col("finding").is_in(["paid, not placed", "placed, not paid"]))
    assert sorted(whole["finding"].to_list()) == ["paid, not placed", "placed, not paid"], "FINDINGS.md: one of each planted"
    # the sample's cancelled months of placed citizens show as months placed but not paid
    assert c.filter(pl.col("finding") == "placed in months not paid").height > 0


def test_tariffs_against_the_whole_occupancy_and_income_own_and_other(run, tmp_path):
    pay, occ, _ = _sample_occupancy(run, tmp_path)
    own_only = tmp_path / "own.parquet"
    pl.read_parquet(occ).filter(pl.col("origin") == "own").write_parquet(own_only)
    t_all, t_own = tmp_path / "t_all.parquet", tmp_path / "t_own.parquet"
    for h, t in ((occ, t_all), (own_only, t_own)):
        r = run("tariff-build", "--structure", SAMPLE / "levels.toml", "--costs", SAMPLE / "costs.csv", "--haap", h, "--year", "2026", "-o", t)
        assert r.exit_code == 0, r.output
    a = pl.read_parquet(t_all).filter(pl.col("tariff_kind") == "average").sort("offer_id")
    b = pl.read_parquet(t_own).filter(pl.col("tariff_kind") == "average").sort("offer_id")
    assert (a["annual_tariff"] < b["annual_tariff"]).all(), "with the other municipalities' citizens the same basis is spread wider"
    budget = tmp_path / "b.parquet"
    r = run(
        "budget-forecast",
        "--year",
        "2026",
        "--costs",
        SAMPLE / "costs.csv",
        "--offers",
        SAMPLE / "offers.csv",
        "--tariffs",
        t_all,
        "--expected-haap",
        occ,
        "--haap",
        occ,
        "-o",
        budget,
    )
    assert r.exit_code == 0, r.output
    bd = pl.read_parquet(budget).filter(pl.col("basis") == "tariff_budget")
    for offer in bd["offer_id"].unique().to_list():
        v = {x["line"]: x["value"] for x in bd.filter(pl.col("offer_id") == offer).iter_rows(named=True)}
        assert v["income_places_own"] + v["income_places_other"] == v["income_places"]
        assert v["income_places_other"] > 0
        assert abs(v["income"] - v["tariff_basis"]) < Decimal(max(1, int(v["haap_total"]))), "budget neutral within 1 kr per HÅP"


def test_phase_in_applies_to_own_citizens_and_others_go_on_the_negotiation_list(run, tmp_path):
    from tariffkit.schedules import by_offer, negotiation_list

    base = {
        "offer_id": "T1",
        "municipality": None,
        "hours_registered": 10.0,
        "hours_assessed": None,
        "hours_counted": 10.0,
        "hours_other": 0.0,
        "supplement_hours": 0.0,
        "flags": [],
        "notes": [],
    }
    rows = [
        {
            **base,
            "citizen_id": "a",
            "origin": "own",
            "current_level": 2,
            "new_level": 3,
            "current_tariff": Decimal(400_000),
            "new_tariff": Decimal(500_000),
            "annual_change": Decimal(100_000),
        },
        {
            **base,
            "citizen_id": "b",
            "origin": "other",
            "municipality": "Nabo Kommune",
            "current_level": 2,
            "new_level": 4,
            "current_tariff": Decimal(400_000),
            "new_tariff": Decimal(600_000),
            "annual_change": Decimal(200_000),
        },
    ]
    from tariffkit.contracts import REASSIGNMENTS

    res = pl.DataFrame(rows, schema=REASSIGNMENTS.schema)
    o = by_offer(res, [(2026, 0.5), (2027, 1.0)]).sort("phase_year")
    assert o["change"].to_list() == [Decimal(300_000)] * 2
    assert o["phased_change"].to_list() == [Decimal(50_000), Decimal(100_000)], "only the own citizen's change is phased in"
    n = negotiation_list(res)
    assert n.to_dicts()[0] | {} == {
        **n.to_dicts()[0],
        "paying_municipality": "Nabo Kommune",
        "paid_level": 2,
        "assessed_level": 4,
        "yearly_difference": Decimal(200_000),
    }
    assert n.height == 1


def test_billing_by_days_and_level_and_the_twelve_month_rule(run, tmp_path):
    f = plist(
        tmp_path,
        [
            "700101-1234;T1;3;01-09-2025;15-10-2026;Anden kommune;Nabo Kommune;Nabo Kommune",
            "700101-1234;T1;4;16-10-2026;;Anden kommune;Nabo Kommune;Nabo Kommune",
            "700202-1234;T1;2;01-01-2026;;Egen borger;Eksempel Kommune;Eksempel Kommune",
        ],
    )
    tariffs = pl.DataFrame(
        {
            "offer_id": "T1",
            "year": [2025] * 2 + [2026] * 2,
            "tariff_kind": "level",
            "level": [3, 4, 3, 4],
            "min_hours": 0.0,
            "max_hours": None,
            "hours": 1.0,
            "annual_tariff": [Decimal(365_000), Decimal(730_000), Decimal(365_000), Decimal(730_000)],
            "monthly_tariff": Decimal(0),
            "daily_tariff": [Decimal(1000), Decimal(2000), Decimal(1000), Decimal(2000)],
            "fixed_part": Decimal(0),
            "ata_part": Decimal(0),
            "price_per_weekly_hour": Decimal(0),
        }
    )
    from tariffkit.contracts import TARIFFS

    t = tmp_path / "t.parquet"
    tariffs.cast(TARIFFS.schema).select(TARIFFS.names).write_parquet(t)
    out, folder = tmp_path / "b.parquet", tmp_path / "afregning"
    folder.mkdir()
    r = run("billing", f, "--tariffs", t, "--month", "2025-09..2026-10", "--claim-date", "2026-11-15", "--xlsx-dir", folder, "-o", out)
    assert r.exit_code == 0, r.output
    b = pl.read_parquet(out)
    assert set(b["paying_municipality"]) == {"Nabo Kommune"}, "own citizens are not billed"
    octo = b.filter(pl.col("month") == "2026-10").sort("level")
    assert octo["days"].to_list() == [15, 16] and octo["amount"].to_list() == [Decimal(15_000), Decimal(32_000)]
    sep25 = b.filter(pl.col("month") == "2025-09").row(0, named=True)
    assert sep25["late"] and sep25["claim_deadline"] == D(2026, 9, 30), "September 2025 had to be claimed by 30 September 2026"
    assert not b.filter(pl.col("month") == "2025-11")["late"][0]
    assert "late" in r.output and (folder / "afregning-Nabo-Kommune-2025-09_2026-10.xlsx").exists()


def test_reassign_reads_dated_placements_and_checks_levels(run, tmp_path):
    f = plist(tmp_path, ["700101-1234;T1;7;01-01-2026;;Egen borger;Eksempel Kommune;"])
    sched = tmp_path / "s.csv"
    sched.write_text(
        "CPR-nr.;Tilbudsnr.;Aktivitetsnr.;Beskrivelse;Paragraf;Starttidspunkt;Minutter;Hyppighed;Normering\n"
        "700101-1234;T1;1;Støtte;§ 85;08:00;60;Alle ugens 7 dage;1:1\n",
        encoding="utf-8",
    )
    r = run("reassign", sched, "--structure", SAMPLE / "levels.toml", "--placements", f, "-o", tmp_path / "o.parquet")
    assert r.exit_code == 1 and "level 7 is outside the structure's levels 1–5" in r.output and "p.csv" in r.output
