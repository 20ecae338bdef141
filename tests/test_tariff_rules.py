"""tariff-build under a rules file: rounding, central overhead, assumed occupancy, the levels and
the 5+ rule the rules require, ten levels end to end, the portal export and the audit trail."""

from __future__ import annotations

import hashlib
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from tariffkit.errors import DataError
from tariffkit.rules import TariffRules, TariffSettings, check_structure, parse_rules
from tariffkit.tariffs import Level, Structure, build

D = Decimal
SAMPLE = Path(__file__).parent.parent / "sample-data"
REF = SAMPLE / "reference"
FIVE = Structure(tuple(Level(i + 1, lo, hi) for i, (lo, hi) in enumerate([(0, 9), (9, 15), (15, 22), (22, 30), (30, 40)])))


def costs(var, fixed, central=0, offer="X", year=2026):
    rows = [("staff_trained", "variable_staff", True, var), ("rent", "fixed_offer", False, fixed), ("admin", "fixed_central", False, central)]
    return pl.DataFrame(
        {
            "offer_id": offer,
            "year": year,
            "basis": "tariff_budget",
            "line": [r[0] for r in rows],
            "label": None,
            "group": [r[1] for r in rows],
            "follows_ata": [r[2] for r in rows],
            "amount": [D(str(r[3])) for r in rows],
        },
        schema_overrides={"amount": pl.Decimal(18, 2), "year": pl.Int32, "label": pl.String},
    )


def expected(haaps, offer="X", supp=0.0):
    return pl.DataFrame(
        {"offer_id": offer, "level": list(range(1, len(haaps) + 1)), "haap": haaps, "supplement_hours": [0.0] * (len(haaps) - 1) + [supp]},
        schema_overrides={"level": pl.Int16},
    )


def rules(**kw):
    return TariffRules("r", "1", "test", tariffs=TariffSettings(**kw))


def level_tariffs(t):
    return t.filter(pl.col("tariff_kind") == "level").sort("level")["annual_tariff"].to_list()


def test_the_today_rules_reproduce_the_reference_case(run, tmp_path):
    base = ["tariff-build", "--structure", REF / "levels.toml", "--costs", REF / "costs.csv", "--haap", REF / "expected-haap.csv", "--year", "2024"]
    assert run(*base, "-o", tmp_path / "a.parquet").exit_code == 0
    r = run(*base, "--rules", SAMPLE / "takstregler.toml", "-o", tmp_path / "b.parquet", "--card", tmp_path / "card.toml")
    assert r.exit_code == 0, r.output and "tariff basis 29.446.776 kr" in r.output
    assert pl.read_parquet(tmp_path / "a.parquet").equals(pl.read_parquet(tmp_path / "b.parquet"))
    card = tomllib.loads((tmp_path / "card.toml").read_text(encoding="utf-8"))
    # the audit trail: the rules it was set under and every input's SHA-256
    assert card["rules"]["name"].startswith("Eksempel Kommune") and card["rules"]["version"] == "2026.1"
    assert card["inputs"]["costs.csv"] == hashlib.sha256((REF / "costs.csv").read_bytes()).hexdigest()
    assert card["inputs"]["takstregler.toml"] == hashlib.sha256((SAMPLE / "takstregler.toml").read_bytes()).hexdigest()
    # each level's annual and daily tariff on the card, as in the table
    t = pl.read_parquet(tmp_path / "b.parquet").filter(pl.col("tariff_kind") == "level")
    for offer, level, annual, daily in t.select("offer_id", "level", "annual_tariff", "daily_tariff").iter_rows():
        on_card = card["offers"][offer]["tariffs"][str(level)]
        assert (D(on_card["annual"]), D(on_card["daily"])) == (annual, daily)


@pytest.mark.parametrize("step", ["0.01", "1", "10", "100"])
def test_rounding_of_tariffs_and_neutrality_within_it(step):
    t, res = build(FIVE, costs(7_654_321.37, 1_234_567.89), expected([3.0, 4.0, 5.0, 6.0, 2.0]), 2026, rules=rules(rounding=D(step)))
    for v in level_tariffs(t):
        assert v % D(step) == 0
    assert abs(res[0].residue) < D(step) * 20  # below the rounding per expected citizen


def test_rounding_half_away_from_zero_at_the_half():
    from tariffkit.tariffs import round_to

    assert round_to(D("1234.5"), D(1)) == D("1235") and round_to(D("1234.4999"), D(1)) == D("1234")
    assert round_to(D("1235"), D(10)) == D("1240") and round_to(D("1234.99"), D(10)) == D("1230")
    assert round_to(D("1234.565"), D("0.01")) == D("1234.57")


def test_central_overhead_as_a_percentage_of_the_direct_costs():
    # direct costs 1,000,000 (ATA 600,000 + rent 400,000); the offer's own central lines 250,000 are
    # replaced by 6 % of the direct costs = 60,000: cost basis 1,060,000
    _, own = build(FIVE, costs(600_000, 400_000, 250_000), expected([1.0] * 5), 2026, rules=rules())
    _, pct = build(FIVE, costs(600_000, 400_000, 250_000), expected([1.0] * 5), 2026, rules=rules(overhead="percentage", overhead_rate=D("0.06")))
    assert own[0].cost_basis == D("1250000") and own[0].overhead == D("250000")
    assert pct[0].cost_basis == D("1060000") and pct[0].overhead == D("60000.00") and pct[0].tariff_basis == D("1060000")


def test_assumed_occupancy_rate_scales_the_expected_mix():
    # 10 places at 90 % = 9 HÅP, in the expected mix 2 : 1 on levels 1 and 2 → 6 and 3
    t, res = build(FIVE, costs(600_000, 300_000), expected([2.0, 1.0, 0, 0, 0]), 2026, rules=rules(occupancy="rate", occupancy_rate=D("0.9")), places={"X": 10})
    assert res[0].expected_haap == pytest.approx(9.0)
    income = sum(D(str(h)) * a for h, a in zip([6, 3, 0, 0, 0], level_tariffs(t)))
    assert abs(income - D("900000")) < 9
    with pytest.raises(DataError, match="needs the offer's places"):
        build(FIVE, costs(600_000, 300_000), expected([2.0, 1.0, 0, 0, 0]), 2026, rules=rules(occupancy="rate", occupancy_rate=D("0.9")))


def test_an_assumed_occupancy_rate_is_read_as_the_decimal_written():
    r = parse_rules(tomllib.loads('name = "n"\nversion = "1"\nsource = "s"\n[tariffs.occupancy]\nmethod = "rate"\nrate = 0.95'), file="r.toml")
    assert r.tariffs.occupancy == "rate" and r.tariffs.occupancy_rate == Decimal("0.95")
    r = parse_rules(tomllib.loads('name = "n"\nversion = "1"\nsource = "s"\n[tariffs.occupancy]\nmethod = "rate"\nrate = 1'), file="r.toml")
    assert r.tariffs.occupancy_rate == Decimal("1")  # full occupancy: the edge is allowed


@pytest.mark.parametrize(
    "text,key",
    [
        ("[tariffs]\nrounding = 3", "tariffs.rounding"),
        ("[tariffs]\nlevels = 0", "tariffs.levels"),
        ('[tariffs]\nsupplement = "maybe"', "tariffs.supplement"),
        ('[tariffs.overhead]\nmethod = "percentage"', "tariffs.overhead.rate"),
        ('[tariffs.overhead]\nmethod = "percentage"\nrate = inf', "tariffs.overhead.rate"),
        ('[tariffs.occupancy]\nmethod = "rate"\nrate = 0', "tariffs.occupancy.rate"),
        ('[tariffs.occupancy]\nmethod = "rate"\nrate = 1.01', "tariffs.occupancy.rate"),
        ('[tariffs.occupancy]\nmethod = "rate"', "tariffs.occupancy.rate"),
        ("[tariffs]\nroundng = 1", "tariffs.roundng"),
    ],
)
def test_bad_tariff_rules_name_the_key(text, key):
    with pytest.raises(DataError) as e:
        parse_rules(tomllib.loads('name = "n"\nversion = "1"\nsource = "s"\n' + text), file="r.toml")
    assert e.value.column == key


def test_a_structure_the_rules_do_not_expect_is_refused(run, tmp_path):
    with pytest.raises(DataError, match="expect 10 levels, the structure s.toml has 5") as e:
        check_structure(rules(levels=10), FIVE, "s.toml")
    assert e.value.column == "tariffs.levels"
    with pytest.raises(DataError, match="top_level_rule = 'none'"):
        check_structure(rules(supplement="none"), FIVE, "s.toml")
    r = run(
        "tariff-build",
        "--structure",
        SAMPLE / "levels.toml",
        "--costs",
        SAMPLE / "costs.csv",
        "--haap",
        REF / "expected-haap.csv",
        "--year",
        "2026",
        "--rules",
        SAMPLE / "takstregler-national-udkast.toml",
        "-o",
        tmp_path / "t.parquet",
    )
    assert r.exit_code == 1 and "takstregler-national-udkast.toml" in r.output and "tariffs.levels" in r.output and not (tmp_path / "t.parquet").exists()


# --- the 5+ supplement ---------------------------------------------------------------------------


def income_by_hours(rule: str, hours: list[float]) -> list[Decimal]:
    """A citizen's yearly income with these weekly hours: the level's tariff + p × supplement hours."""
    from tariffkit.schedules import _supplement_hours

    st = Structure(FIVE.levels, top_level_rule=rule)
    t, res = build(st, costs(6_000_000, 2_000_000), expected([2.0, 3.0, 4.0, 3.0, 2.0], supp=10.0), 2026)
    tariff = dict(zip(range(1, 6), level_tariffs(t)))
    p = res[0].price_per_weekly_hour
    supp = pl.DataFrame({"h": [float(h) for h in hours]}).select(s=_supplement_hours(pl.col("h"), st))["s"].to_list()
    return [tariff[st.level_of(h)[0]] + p * D(str(s)) for h, s in zip(hours, supp)], p, tariff


def test_supplement_above_the_representative_hours_pays_every_hour_and_is_continuous():
    hours = [30 + i * 0.25 for i in range(121)]  # 30 … 60 hours
    inc, p, tariff = income_by_hours("supplement_above_representative", hours)
    for h, v in zip(hours, inc):  # f + p × max(h, 35): every hour above the priced 35 is paid
        assert abs(v - (tariff[5] + p * D(str(max(h - 35, 0))))) < D("0.01")
    steps = [b - a for a, b in zip(inc, inc[1:])]
    assert all(D(0) <= s <= p * D("0.25") + D("0.01") for s in steps)  # no jump anywhere, at 35 and 40 included


def test_supplement_above_the_band_leaves_hours_unpaid_and_none_is_flat():
    hours = [30, 35, 39.75, 40, 45, 50]
    inc, p, tariff = income_by_hours("supplement", hours)
    assert inc[:4] == [tariff[5]] * 4  # flat to the band's top
    assert inc[4] == tariff[5] + p * 5  # 45 hours pay for 40: hours 35–40 unpaid (BDO's reference rule)
    flat, _, tariff = income_by_hours("none", hours)
    assert flat == [tariff[5]] * 6


def test_the_representative_rule_cannot_mix_with_mean_of_placed():
    from tariffkit.tariffs import parse_structure

    d = tomllib.loads((SAMPLE / "levels.toml").read_text(encoding="utf-8"))
    d.update(top_level_rule="supplement_above_representative", representative_hours="mean_of_placed")
    with pytest.raises(DataError) as e:
        parse_structure(d, file="levels.toml")
    assert e.value.column == "top_level_rule"


# --- ten levels end to end -----------------------------------------------------------------------


def test_ten_service_packages_on_the_sample_end_to_end(run, tmp_path, sample_out):
    out, _ = sample_out
    key = SAMPLE / "demo.key"
    r = run("reassign", SAMPLE / "doegnskemaer.csv", "--structure", SAMPLE / "levels-10.toml", "--key-file", key, "-o", tmp_path / "n10.parquet")
    assert r.exit_code == 0, r.output
    n10 = pl.read_parquet(tmp_path / "n10.parquet")
    assert n10["new_level"].max() == 10 and (n10["supplement_hours"] == 0).all()  # the draft's packages: no supplement
    r = run(
        "tariff-build",
        "--structure",
        SAMPLE / "levels-10.toml",
        "--costs",
        SAMPLE / "costs.csv",
        "--haap",
        tmp_path / "n10.parquet",
        "--year",
        "2026",
        "--offers",
        SAMPLE / "offers.csv",
        "--rules",
        SAMPLE / "takstregler-national-udkast.toml",
        "-o",
        tmp_path / "t10.parquet",
        "--card",
        tmp_path / "c10.toml",
        "--portal",
        tmp_path / "portal.csv",
    )
    assert r.exit_code == 0, r.output
    t = pl.read_parquet(tmp_path / "t10.parquet").filter(pl.col("tariff_kind") == "level")
    card = tomllib.loads((tmp_path / "c10.toml").read_text(encoding="utf-8"))
    assert card["rules"]["draft"] is True
    for offer, g in t.group_by("offer_id"):
        g = g.sort("level")
        assert g.height == 10 and g["annual_tariff"].is_sorted() and g["annual_tariff"].n_unique() == 10
        c = card["offers"][offer[0]]
        n = n10.filter(pl.col("offer_id") == offer[0]).group_by("new_level").len()
        income = sum(D(cnt) * g.filter(pl.col("level") == lv)["annual_tariff"][0] for lv, cnt in n.iter_rows())
        assert abs(income - D(c["tariff_basis"])) < n["len"].sum()  # budget-neutral up to 1 kr per HÅP
    head = (tmp_path / "portal.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert head == "Tilbudsnr.;Tilbudsnavn;År;Funktionsniveau;Takst pr. år;Takst pr. døgn;Forudsat belægningsprocent;Antal pladser jf. Tilbudsportalen"
    # the budget model and the offer workbook with ten levels
    r = run(
        "budget-forecast",
        "--year",
        "2026",
        "--costs",
        SAMPLE / "costs.csv",
        "--tariffs",
        tmp_path / "t10.parquet",
        "--haap",
        tmp_path / "n10.parquet",
        "--expected-haap",
        tmp_path / "n10.parquet",
        "--out-years",
        "1",
        "-o",
        tmp_path / "b10.parquet",
    )
    assert r.exit_code == 0, r.output
    b = pl.read_parquet(tmp_path / "b10.parquet")
    assert b.filter(pl.col("line").str.starts_with("tariff_level_"))["line"].n_unique() == 10
    r = run("report", "offer", tmp_path / "b10.parquet", "--offers", SAMPLE / "offers.csv", "-o", tmp_path / "b10.xlsx")
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "b10.xlsx")["T101 Bostedet Egebo"]
    labels = [c.value for c in ws["A"] if c.value]
    assert "Takst funktionsniveau 10 (kr. pr. år)" in labels and "Takst funktionsniveau 1 (kr. pr. år)" in labels


def test_the_portal_table_reports_each_levels_tariff_the_occupancy_and_the_places():
    """Tilbudsportalen's figures: tariffs exactly in kroner and øre, the assumed occupancy rate
    (expected HÅP / places × 100, two decimals) on the portal's own count of places when the
    offers table has it, else the places; no rate for an offer without places."""
    from types import SimpleNamespace

    from tariffkit.tariffs import PORTAL_COLUMNS, portal_table

    tariffs = pl.DataFrame(
        {
            "offer_id": ["A", "A", "B", "C"],
            "year": [2026] * 4,
            "tariff_kind": ["level", "level", "level", "average"],
            "level": [2, 1, 1, None],
            "annual_tariff": [D("400000.00"), D("300000.00"), D("365000.00"), D("1.00")],
            "daily_tariff": [D("1095.89"), D("821.92"), D("1000.00"), D("0.01")],
        },
        schema_overrides={"year": pl.Int32, "level": pl.Int16, "annual_tariff": pl.Decimal(18, 2), "daily_tariff": pl.Decimal(18, 2)},
    )
    offers = pl.DataFrame({"offer_id": ["A", "B"], "offer_name": ["Egebo", "Lærkehøj"], "places": [12, 0], "portal_places": [10, None]})
    results = [SimpleNamespace(offer_id="A", expected_haap=9.456), SimpleNamespace(offer_id="B", expected_haap=3.0)]
    p = portal_table(tariffs, results, offers)
    assert p.columns == list(PORTAL_COLUMNS)
    assert p["Tilbudsnr."].to_list() == ["A", "A", "B"] and p["Funktionsniveau"].to_list() == [1, 2, 1]  # level tariffs only, in order
    assert p["Tilbudsnavn"].to_list() == ["Egebo", "Egebo", "Lærkehøj"] and p["År"].to_list() == [2026] * 3
    assert p.schema["Takst pr. år"] == pl.Decimal(18, 2) and p.schema["Takst pr. døgn"] == pl.Decimal(18, 2)
    assert p["Takst pr. døgn"].to_list() == [D("821.92"), D("1095.89"), D("1000.00")]
    assert p["Forudsat belægningsprocent"].to_list() == [94.56, 94.56, None]  # 9.456 / 10 portal places; B has no places
    assert p["Antal pladser jf. Tilbudsportalen"].to_list() == [10, 10, 0]


def test_the_card_names_the_rules_it_was_set_under(run, tmp_path):
    base = ["tariff-build", "--structure", REF / "levels.toml", "--costs", REF / "costs.csv", "--haap", REF / "expected-haap.csv", "--year", "2024"]
    r = run(*base, "--rules", SAMPLE / "takstregler.toml", "-o", tmp_path / "b.parquet", "--card", tmp_path / "card.toml")
    assert r.exit_code == 0, r.output
    rules = tomllib.loads((tmp_path / "card.toml").read_text(encoding="utf-8"))["rules"]
    source = tomllib.loads((SAMPLE / "takstregler.toml").read_text(encoding="utf-8"))["source"]
    assert rules["source"] == source and rules["draft"] is False
    assert (rules["rounding"], rules["overhead"], rules["occupancy"]) == ("1", "own_costs", "expected")


def test_the_tariffs_table_has_its_contract_and_the_top_band_is_open():
    from tariffkit.contracts import TARIFFS

    t, _ = build(FIVE, costs(7_000_000, 1_000_000), expected([3.0, 4.0, 5.0, 6.0, 2.0]), 2026)
    assert t.schema == TARIFFS.schema
    lv = t.filter(pl.col("tariff_kind") == "level").sort("level")
    assert lv["max_hours"].to_list() == [9.0, 15.0, 22.0, 30.0, None]  # the top level has no upper bound: 5+ hours above it


def test_a_common_structure_is_set_under_the_rules_too():
    from dataclasses import replace

    common = replace(FIVE, scope="common")
    both = pl.concat([costs(3_500_000, 500_000, offer="A"), costs(3_500_000, 500_000, offer="B")])
    t, res = build(common, both, expected([3.0, 4.0, 5.0, 6.0, 2.0], offer="*"), 2026, rules=rules(rounding=D(100)))
    assert res[0].offer_id == "*" and all(v % 100 == 0 for v in level_tariffs(t))


@pytest.mark.parametrize(
    "case, file, column, says",
    [
        ("no costs for the year", "omk.csv", "year", "no cost lines for year 2027 with basis tariff_budget"),
        ("ATA costs, nobody expected", "haap.parquet", "haap", "offer X: ATA costs but no expected ATA hours"),
    ],
)
def test_tariff_build_refusals_name_the_file_and_column(case, file, column, says):
    if case == "no costs for the year":
        args = (FIVE, costs(1, 1), expected([1.0] * 5), 2027)
    else:  # citizens expected, but on levels of no ATA hours: the ATA costs cannot be priced
        zero = Structure(tuple(Level(i, 0, 9, hours=0.0) for i in (1, 2)), representative_hours="configured", top_level_rule="none")
        args = (zero, costs(1_000, 1), expected([1.0, 1.0]), 2026)
    with pytest.raises(DataError, match=says) as e:
        build(*args, file_costs="omk.csv", file_haap="haap.parquet")
    assert (e.value.file, e.value.column) == (file, column)


def test_a_structure_level_above_a_week_is_refused_naming_the_key():
    from tariffkit.tariffs import parse_structure

    d = {"levels": [{"level": 1, "min_hours": 0, "max_hours": 9, "hours": 169}]}
    with pytest.raises(DataError, match="levels\\[1\\].hours must be between 0 and 168") as e:
        parse_structure(d, file="l.toml")
    assert (e.value.file, e.value.column) == ("l.toml", "levels[1].hours")
    assert parse_structure({"levels": [{"level": 1, "min_hours": 0, "max_hours": 9, "hours": 168}]}).levels[0].hours == 168


def test_an_offers_tariffs_split_its_costs_into_face_to_face_and_fixed():
    """build_offer's result (what a notebook reads): the costs that follow ATA hours (the
    variable staff), the fixed rest, and the cost basis they add up to."""
    from tariffkit.tariffs import build_offer

    out = build_offer("X", 2026, FIVE, costs(1_000_000, 300_000, 50_000), expected([2.0, 3.0, 1.0, 1.0, 1.0]))
    assert out.ata_costs == D("1000000.00")
    assert out.fixed_costs == D("350000.00")
    assert out.cost_basis == out.ata_costs + out.fixed_costs


def test_a_structures_bad_bands_and_missing_hours_name_their_setting():
    from tariffkit.tariffs import parse_structure

    bands = [{"level": 1, "min_hours": 0, "max_hours": 10}, {"level": 2, "min_hours": 8, "max_hours": 20}]
    with pytest.raises(DataError, match="levels 1 and 2 overlap") as e:
        parse_structure({"levels": bands}, "s.toml")
    assert (e.value.file, e.value.column) == ("s.toml", "levels[2].min_hours")
    bands[1]["min_hours"] = 10
    with pytest.raises(DataError, match="configured but level 1 has no hours") as e:
        parse_structure({"levels": bands, "representative_hours": "configured"}, "s.toml")
    assert (e.value.file, e.value.column) == ("s.toml", "levels[1].hours")
    bands[0]["hours"], bands[1]["hours"] = 5, 15
    s = parse_structure({"levels": bands, "representative_hours": "configured"}, "s.toml")
    assert [lv.hours for lv in s.levels] == [5.0, 15.0] and s.representative_hours == "configured"


@pytest.mark.parametrize(
    "text, message",
    [
        ("tariffs = 5", r"^\[tariffs\] must be a table"),
        ('[carry]\nrounding_residue = "lost"', r"^carry.rounding_residue must be kept or split, found 'lost'"),
    ],
)
def test_bad_tariff_rules_say_what_is_wrong(text, message):
    with pytest.raises(DataError) as e:
        parse_rules(tomllib.loads('name = "n"\nversion = "1"\nsource = "s"\n' + text), file="r.toml")
    assert re.match(message, e.value.message)


def test_the_card_of_a_common_structure_counts_every_offers_places():
    """The card's places and assumed occupancy: an offer's own places; for the common
    structure (``*``) the places of all offers; expected HÅP to four decimals."""
    from dataclasses import replace

    from tariffkit.tariffs import card_toml

    offers = pl.DataFrame({"offer_id": ["A", "B", "C"], "places": [12, 8, None]})
    common = replace(FIVE, scope="common")
    both = pl.concat([costs(3_500_000, 500_000, offer="A"), costs(3_500_000, 500_000, offer="B")])
    _, res = build(common, both, expected([3.0, 4.0, 5.0, 6.0, 2.123456], offer="*"), 2026)
    card = tomllib.loads(card_toml(res, common, offers=offers))["offers"]["*"]
    assert card["places"] == 20 and card["expected_haap"] == 20.1235
    assert card["assumed_occupancy"] == round(20.123456 / 20, 4)
    _, res = build(FIVE, costs(3_500_000, 500_000, offer="B"), expected([1.0, 1.0, 1.0, 1.0, 0.5], offer="B"), 2026)
    card = tomllib.loads(card_toml(res, FIVE, offers=offers))["offers"]["B"]
    assert (card["places"], card["assumed_occupancy"], card["expected_haap"]) == (8, 0.5625, 4.5)
    card = tomllib.loads(card_toml(res, FIVE))["offers"]["B"]
    assert "places" not in card and "assumed_occupancy" not in card


def test_the_card_and_the_portal_table_for_two_offers_one_not_in_the_offers_table():
    """Each offer's card shows its own ATA price and its average tariff; the portal table lists
    an offer the offers table lacks with no name, places or occupancy (not an error)."""
    from tariffkit.tariffs import card_toml, portal_table

    both = pl.concat([costs(3_500_000, 500_000, offer="A"), costs(2_000_000, 800_000, offer="B")])
    exp = pl.concat([expected([1.0, 1.0, 1.0, 1.0, 1.0], offer="A"), expected([2.0, 1.0, 1.0, 0.0, 0.0], offer="B")])
    t, res = build(FIVE, both, exp, 2026)
    ata = pl.DataFrame({"offer_id": ["A", "B"], "year": [2026, 2026], "price_per_ata_hour": [D("501.00"), D("612.50")]})
    cards = tomllib.loads(card_toml(res, FIVE, ata_prices=ata))["offers"]
    assert (cards["A"]["price_per_ata_hour"], cards["B"]["price_per_ata_hour"]) == ("501.00", "612.50")
    for o in ("A", "B"):
        average = t.filter((pl.col("offer_id") == o) & (pl.col("tariff_kind") == "average"))["annual_tariff"][0]
        assert D(cards[o]["average_tariff"]) == average
    portal = portal_table(t, res, pl.DataFrame({"offer_id": ["A"], "offer_name": ["Egebo"], "places": [10]}))
    b = portal.filter(pl.col("Tilbudsnr.") == "B")
    assert b.height == 5 and b["Tilbudsnavn"].null_count() == 5 and b["Forudsat belægningsprocent"].null_count() == 5
    a = portal.filter(pl.col("Tilbudsnr.") == "A").row(0, named=True)
    assert (a["Tilbudsnavn"], a["Antal pladser jf. Tilbudsportalen"], a["Forudsat belægningsprocent"]) == ("Egebo", 10, 50.0)


def test_tariffs_equal_on_two_levels_are_refused_at_equality():
    """Two levels with the same representative hours give the same tariff: refused, since a
    citizen moved up a level would cost the same (the rule is 'increase', not 'not decrease')."""
    same = Structure((Level(1, 0, 9, hours=5.0), Level(2, 9, 15, hours=5.0)), representative_hours="configured", top_level_rule="none")
    with pytest.raises(DataError) as e:
        build(same, costs(1_000_000, 100_000), expected([1.0, 1.0]), 2026, file_costs="omk.csv")
    assert e.value.file == "omk.csv"
    assert e.value.message.startswith("offer X: tariffs do not increase by level (level 2: ") and "check the representative hours" in e.value.message
    up = Structure((Level(1, 0, 9, hours=5.0), Level(2, 9, 15, hours=5.01)), representative_hours="configured", top_level_rule="none")
    t, [r] = build(up, costs(1_000_000, 100_000), expected([1.0, 1.0]), 2026)
    a, b = level_tariffs(t)
    assert b > a and isinstance(r.ata_costs, D) and isinstance(r.fixed_costs, D)
    with pytest.raises(DataError) as e:  # no ATA costs at all: every level the fixed part, and the message says why
        build(FIVE, costs(0, 1_000_000), expected([1.0] * 5), 2026)
    assert "no cost line follows ATA time (follows_ata)" in e.value.message and "representative hours" not in e.value.message


def test_the_rows_a_notebook_reads_are_the_tariff_tables_rows():
    """build's per-offer results carry the same rows as the table, each with the contract's
    columns and no others; without file names, errors name the costs argument."""
    from tariffkit.contracts import TARIFFS

    t, [r] = build(FIVE, costs(1_000_000, 100_000), expected([1.0, 1.0, 1.0, 1.0, 1.0]), 2026)
    assert all(list(row) == TARIFFS.names for row in r.rows)
    assert pl.DataFrame(r.rows, schema=TARIFFS.schema, orient="row").equals(t)
    with pytest.raises(DataError) as e:
        build(FIVE, costs(1, 1), expected([1.0] * 5), 2027)
    assert e.value.file == "costs"


def test_a_common_structure_at_an_assumed_occupancy_counts_every_offers_places():
    """Common tariffs set at an assumed occupancy of 90 %: the volume is 90 % of all offers'
    places (12 + 8 = 20 → 18 HÅP), in the expected mix of levels."""
    from dataclasses import replace

    common = replace(FIVE, scope="common")
    both = pl.concat([costs(3_500_000, 500_000, offer="A"), costs(3_500_000, 500_000, offer="B")])
    r = TariffRules("r", "1", "test", tariffs=TariffSettings(occupancy="rate", occupancy_rate=D("0.9")))
    _, [res] = build(common, both, expected([3.0, 4.0, 5.0, 6.0, 2.0], offer="*"), 2026, rules=r, places={"A": 12, "B": 8})
    assert res.offer_id == "*" and res.expected_haap == pytest.approx(18.0)
