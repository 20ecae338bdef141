"""budget-forecast: the Botilbud A reference case, out-years, calculators, authority split, activity allocation."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from conftest import SAMPLE

from tariffkit.budget import AuthorityAssumptions, activity_allocation, authority_budget, parse_pl
from tariffkit.errors import DataError, UsageError

REF = SAMPLE / "reference"


@pytest.fixture  # each test runs the model itself, so a mutation tool sees every test that reads it
def reference(tmp_path_factory):
    from click.testing import CliRunner

    from tariffkit.cli import cli

    d = tmp_path_factory.mktemp("ref")
    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "price-ata",
            str(REF / "staff.csv"),
            "--assumptions",
            str(REF / "ata-assumptions.toml"),
            "--costs",
            str(REF / "costs.csv"),
            "-o",
            str(d / "ata.parquet"),
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli,
        [
            "budget-forecast",
            "offer",
            "--year",
            "2024",
            "--costs",
            str(REF / "costs.csv"),
            "--staff",
            str(REF / "staff.csv"),
            "--offers",
            str(REF / "offers.csv"),
            "--tariffs",
            str(REF / "tariffs.csv"),
            "--expected-haap",
            str(REF / "expected-haap.csv"),
            "--haap",
            str(REF / "forecast-haap.csv"),
            "--ata-prices",
            str(d / "ata.parquet"),
            "--pl",
            "0.03",
            "-o",
            str(d / "budget.parquet"),
        ],
    )
    assert r.exit_code == 0, r.output
    df = pl.read_parquet(d / "budget.parquet")
    return {(row["basis"], row["year"], row["line"]): row["value"] for row in df.iter_rows(named=True)} | {"_df": df}


def test_reference_tariff_basis_and_expected_result(reference):
    r = reference
    assert r[("tariff_budget", 2024, "cost_basis")] == Decimal("25528776.00")
    assert r[("tariff_budget", 2024, "result_two_years_earlier")] == Decimal("3918000.00")
    assert r[("tariff_budget", 2024, "tariff_basis")] == Decimal("29446776.00")
    assert r[("tariff_budget", 2024, "income_places")] == Decimal("27682776.00")
    assert r[("forecast", 2024, "income_places")] == Decimal("25549728.00")
    assert r[("forecast", 2024, "income_supplements")] == Decimal("1764000.00")
    assert r[("tariff_budget", 2024, "expected_result")] == 0
    assert r[("forecast", 2024, "expected_result")] == Decimal("-2133048.00")


def test_reference_place_prices(reference):
    r = reference
    assert r[("tariff_budget", 2024, "place_price_year")] == 755_046 and r[("tariff_budget", 2024, "place_price_day")] == 2_069
    assert r[("forecast", 2024, "place_price_year_incl_result")] == 809_739 and r[("forecast", 2024, "place_price_day_incl_result")] == 2_218
    assert r[("forecast", 2024, "occupancy_pct")] == 100


def test_reference_out_years(reference):
    r = reference
    assert [r[("out_year", y, "place_price_year_incl_result")] for y in range(2025, 2030)] == [648_091, 688_544, 730_211, 773_128, 817_333]
    assert [r[("out_year", y, "place_price_day_incl_result")] for y in range(2025, 2030)] == [1_776, 1_886, 2_001, 2_118, 2_239]
    assert r[("out_year", 2025, "cost_basis")] == Decimal("26294639.28")  # 25,528,776 × 1.03
    assert all(r[("out_year", y, "income")] == Decimal("27313728.00") for y in range(2025, 2030))


def test_reference_staff_ata_and_calculators(reference):
    r = reference
    assert r[("tariff_budget", 2024, "fte_total")] == Decimal("46.29") and r[("tariff_budget", 2024, "ata_fte")] == Decimal("42.08")
    assert round(r[("tariff_budget", 2024, "ata_hours_staff")]) == 50_967
    assert r[("tariff_budget", 2024, "cost_per_ata_hour")] == 501
    assert r[("tariff_budget", 2024, "cost_per_fte_mean")] == 476_200  # BDO's plain mean
    assert abs(r[("tariff_budget", 2024, "cost_per_fte_weighted")] - 461_900) < 100  # the FTE-weighted mean
    assert r[("forecast", 2024, "cut_fte")] == Decimal("4.40") and r[("forecast", 2024, "cut_amount")] == 2_142_800
    assert r[("forecast", 2024, "frame_cut_amount")] == 765_863
    assert round(r[("forecast", 2024, "frame_cut_pct_of_variable_salary")], 1) == Decimal("3.6")
    assert r[("forecast", 2024, "frame_cut_share")] == 3  # the default frame cut, 0.03, in per cent
    # the deficit the calculators cut: the forecast's expected result, turned positive
    assert r[("forecast", 2024, "expected_result")] == -2_133_048 and r[("forecast", 2024, "deficit")] == 2_133_048
    for basis in ("tariff_budget", "forecast"):  # the reference's citizens are all the municipality's own
        assert (r[(basis, 2024, "haap_own")], r[(basis, 2024, "haap_other")], r[(basis, 2024, "haap_total")]) == (39, 0, 39)


def test_reference_comment_is_carried(reference):
    df = reference["_df"]
    assert "3 borgere flyttet" in df.filter(pl.col("line") == "comment")["text"][0]


def test_out_years_with_a_rate_per_year():
    rates = parse_pl("2025:0.02,2026:0.04", 2024, 2)
    assert rates == {2025: Decimal("0.02"), 2026: Decimal("0.04")}
    assert parse_pl("2025:2%,2026:3.5%", 2024, 2) == {2025: Decimal("0.02"), 2026: Decimal("0.035")}  # in per cent
    with pytest.raises(UsageError, match="2026"):
        parse_pl("2025:0.02", 2024, 2)
    with pytest.raises(UsageError):
        parse_pl("3", 2024, 2)


def test_wide_view_shows_the_grid(run, reference, tmp_path):
    out = tmp_path / "b.parquet"
    reference["_df"].write_parquet(out)
    r = run("show", out, "--wide", "-n", 0, "--format", "csv")
    header = r.output.splitlines()[0]
    assert header.startswith("offer_id,line,tariff_budget 2024,forecast 2024,out_year 2025")
    assert "A,place_price_year_incl_result,755046.00,809739.00,648091.00" in r.output


def test_level_without_a_tariff_is_named(run, tmp_path):
    h = tmp_path / "h.csv"
    h.write_text("offer_id;level;haap\nA;6;2\n", encoding="utf-8")
    r = run("budget-forecast", "--year", 2024, "--costs", REF / "costs.csv", "--tariffs", REF / "tariffs.csv", "--haap", h, "-o", tmp_path / "o.parquet")
    assert r.exit_code == 1 and f"{h}" in r.stderr and "column level" in r.stderr and "level 6" in r.stderr
    assert not (tmp_path / "o.parquet").exists()


def test_negative_fte_is_named(run, tmp_path):
    s = tmp_path / "staff.csv"
    s.write_text("offer_id;year;category;fte;cost_per_fte;gives_ata\nA;2024;trained;-2,5;487.000,00;ja\n", encoding="utf-8")
    r = run(
        "budget-forecast",
        "--year",
        2024,
        "--costs",
        REF / "costs.csv",
        "--staff",
        s,
        "--tariffs",
        REF / "tariffs.csv",
        "--haap",
        REF / "forecast-haap.csv",
        "-o",
        tmp_path / "o.parquet",
    )
    assert r.exit_code == 1 and f"{s}, row 2, column fte" in r.stderr and "at least 0" in r.stderr


def _payments(rows):
    base = {
        "citizen_id": "x",
        "case_id": "S",
        "caseworker": "M",
        "offer_id": "X",
        "offer_name": "X",
        "provider": "internal",
        "paragraph": "SEL 108",
        "function": "5.38.50",
        "level": 1,
        "service_from": dt.date(2026, 1, 1),
        "service_to": dt.date(2026, 1, 31),
        "amount": Decimal("1.00"),
        "kind": "actual",
        "extract_date": dt.date(2026, 12, 31),
        "source_file": "f",
        "source_row": 1,
    }
    df = pl.DataFrame([{**base, **r} for r in rows])
    return df.with_columns(pl.col("level").cast(pl.Int16), pl.col("amount").cast(pl.Decimal(18, 2)))


def _tariffs(levels=(1, 2, 3, 4), fixed=0):
    return pl.DataFrame(
        {
            "offer_id": "X",
            "year": 2026,
            "tariff_kind": "level",
            "level": list(levels),
            "annual_tariff": [Decimal(365_000 * lv) for lv in levels],
            "fixed_part": [Decimal(fixed)] * len(levels),
        }
    ).with_columns(pl.col("level").cast(pl.Int16), pl.col("annual_tariff").cast(pl.Decimal(18, 2)), pl.col("fixed_part").cast(pl.Decimal(18, 2)))


def test_activity_allocation_with_move_in_move_out_and_level_change():
    d = dt.date
    pay = _payments(
        [
            {"citizen_id": "a", "level": 2, "service_from": d(2026, 1, 1), "service_to": d(2026, 12, 31)},  # whole year: 365 × 2,000
            {"citizen_id": "a", "level": 2, "service_from": d(2026, 3, 1), "service_to": d(2026, 3, 31)},  # a correction line: counted once
            {"citizen_id": "b", "level": 3, "service_from": d(2026, 7, 1), "service_to": d(2027, 6, 30)},  # moves in: 184 × 3,000
            {"citizen_id": "c", "level": 1, "service_from": d(2025, 6, 1), "service_to": d(2026, 3, 31)},  # moves out: 90 × 1,000
            {"citizen_id": "d", "level": 2, "service_from": d(2026, 1, 1), "service_to": d(2026, 6, 30)},  # level change: 181 × 2,000
            {"citizen_id": "d", "level": 4, "service_from": d(2026, 7, 1), "service_to": d(2026, 12, 31)},  #   + 184 × 4,000
        ]
    )
    frame = pl.DataFrame({"offer_id": ["X"], "frame_budget": [Decimal(1_000_000)], "fixed_frame": [Decimal(0)]})
    out = activity_allocation(pay, _tariffs(), frame, 2026, phase_in=[(2026, 0.5), (2027, 1.0)]).to_dicts()
    expected = 730_000 + 552_000 + 90_000 + 362_000 + 736_000
    assert out[0]["activity_budget"] == expected and out[0]["days"] == 365 + 184 + 90 + 365
    assert out[0]["change"] == expected - 1_000_000
    assert [o["phased_change"] for o in out] == [(expected - 1_000_000) // 2, expected - 1_000_000]
    assert out[0]["new_budget"] == 1_000_000 + (expected - 1_000_000) // 2


def test_hybrid_keeps_the_fixed_part_as_a_frame():
    pay = _payments([{"citizen_id": "a", "level": 2, "service_from": dt.date(2026, 1, 1), "service_to": dt.date(2026, 12, 31)}])
    frame = pl.DataFrame({"offer_id": ["X"], "frame_budget": [Decimal(900_000)], "fixed_frame": [Decimal(300_000)]})
    out = activity_allocation(pay, _tariffs(fixed=200_000), frame, 2026, mode="hybrid").row(0, named=True)
    assert out["activity_budget"] == (730_000 - 200_000) + 300_000


def test_allocation_phases_the_exact_change_once():
    """A change of 45 kr phased at 70 %: 31.5 kr exactly, rounded once, away from zero, to 32
    (as floats 31.4999…: 31)."""
    pay = _payments([{"citizen_id": "a", "level": 1, "service_from": dt.date(2026, 1, 1), "service_to": dt.date(2026, 1, 5)}])  # 5 × 1,000
    frame = pl.DataFrame({"offer_id": ["X"], "frame_budget": [Decimal(4_955)], "fixed_frame": [Decimal(0)]})
    out = activity_allocation(pay, _tariffs(), frame, 2026, phase_in=[(2026, 0.7)]).row(0, named=True)
    assert out["activity_budget"] == 5_000 and out["change"] == 45
    assert out["phased_change"] == 32 and out["new_budget"] == 4_987


def test_allocation_with_common_tariffs_prices_every_offers_days():
    """Tariffs for every offer (``*``): each offer's days at the common level tariffs."""
    d = dt.date
    pay = _payments(
        [
            {"citizen_id": "a", "offer_id": "X", "level": 2, "service_from": d(2026, 1, 1), "service_to": d(2026, 1, 10)},  # 10 × 2,000
            {"citizen_id": "b", "offer_id": "Y", "level": 1, "service_from": d(2026, 1, 1), "service_to": d(2026, 1, 5)},  # 5 × 1,000
        ]
    )
    frame = pl.DataFrame({"offer_id": ["X", "Y"], "frame_budget": [Decimal(0), Decimal(0)], "fixed_frame": [Decimal(0), Decimal(0)]})
    out = activity_allocation(pay, _tariffs().with_columns(offer_id=pl.lit("*")), frame, 2026)
    assert dict(zip(out["offer_id"], out["activity_budget"])) == {"X": 20_000, "Y": 5_000}


def test_an_offer_with_a_frame_and_no_citizens_keeps_its_name_and_loses_its_budget():
    """An offer with an old frame budget and nobody on it this year: its activity budget is 0
    and the whole frame is the change; an offer with days and no frame starts from 0."""
    from tariffkit.budget.allocation import frame_budgets

    pay = _payments([{"citizen_id": "a", "offer_id": "X", "level": 1, "service_from": dt.date(2026, 1, 1), "service_to": dt.date(2026, 1, 5)}])
    frame = pl.DataFrame({"offer_id": ["Y"], "frame_budget": [Decimal(70_000)], "fixed_frame": [Decimal(0)]})
    out = activity_allocation(pay, _tariffs(), frame, 2026).sort("offer_id")
    assert out.select("offer_id", "frame_budget", "activity_budget", "change").rows() == [("X", 0, 5_000, 5_000), ("Y", 70_000, 0, -70_000)]
    assert out["phase_share"].to_list() == [1.0, 1.0] and out["phased_change"].to_list() == out["change"].to_list()  # not phased: all at once
    costs = pl.DataFrame(
        {
            "offer_id": ["X"],
            "year": [2026],
            "basis": ["actual"],
            "line": ["l"],
            "label": [None],
            "group": ["fixed_offer"],
            "follows_ata": [False],
            "amount": [1],
        }
    )
    with pytest.raises(DataError) as e:
        frame_budgets(costs, _tariffs(), 2026)
    assert (e.value.file, e.value.column) == ("costs", "basis") and e.value.message == "no budget cost lines for 2026: the old frame budget is not known"


def test_allocation_level_without_tariff_is_an_error():
    pay = _payments([{"citizen_id": "a", "level": 5, "service_from": dt.date(2026, 1, 1), "service_to": dt.date(2026, 1, 31)}])
    frame = pl.DataFrame({"offer_id": ["X"], "frame_budget": [Decimal(1)], "fixed_frame": [Decimal(0)]})
    with pytest.raises(DataError, match="level 5"):
        activity_allocation(pay, _tariffs(), frame, 2026)


def test_authority_budget_and_the_split_adds_up():
    hist = pl.DataFrame(
        {"paragraph": ["SEL 107", "SEL 108"], "period": ["2025", "2025"], "haap": [10.0, 20.0], "average_price": [Decimal(500_000), Decimal(700_000)]}
    ).with_columns(pl.col("average_price").cast(pl.Decimal(18, 2)))
    fc = pl.DataFrame({"paragraph": ["SEL 107", "SEL 108"], "haap": [12.0, 19.0], "expense": [Decimal(6_300_000), Decimal(14_000_000)]})
    a = AuthorityAssumptions(pl_rate=0.03, price_growth=0.0, expected_haap={"SEL 108": 21.0})
    out = authority_budget(hist, fc, ["paragraph"], 2026, a)
    r107, r108 = out.row(0, named=True), out.row(1, named=True)
    assert r107["budget"] == Decimal(10 * 515_000) and r108["budget"] == Decimal(21 * 721_000)
    for r in (r107, r108):
        assert r["volume_effect"] + r["price_effect"] == r["deviation"] == r["forecast"] - r["budget"]
    assert r107["volume_effect"] == 2 * 515_000


def test_a_paragraph_with_a_forecast_and_no_history_has_a_budget_of_zero():
    """A paragraph new this year (citizens in the forecast, none in the base year): its budget
    is 0 for the year, and the whole forecast is its deviation, all of it volume."""
    hist = pl.DataFrame({"paragraph": ["SEL 107"], "period": ["2025"], "haap": [10.0], "average_price": [Decimal(500_000)]}).with_columns(
        pl.col("average_price").cast(pl.Decimal(18, 2))
    )
    fc = pl.DataFrame({"paragraph": ["SEL 107", "SEL 108"], "haap": [10.0, 2.0], "expense": [Decimal(5_150_000), Decimal(1_400_000)]})
    out = authority_budget(hist, fc, ["paragraph"], 2026, AuthorityAssumptions(pl_rate=0.03, price_growth=0.0))
    new = out.filter(pl.col("paragraph") == "SEL 108").row(0, named=True)
    assert (new["year"], new["budget"], new["budget_haap"], new["pl_rate"], new["base_haap"]) == (2026, Decimal(0), 0.0, None, None)
    assert new["deviation"] == new["forecast"] == new["volume_effect"] == Decimal(1_400_000) and new["price_effect"] == 0
    assert out["year"].to_list() == [2026, 2026]


def test_authority_from_haap_takes_the_groups_and_the_year_from_the_tables():
    """compute-haap's tables as they are: grouped by the history's own columns, the forecast for
    the budget year only, and a forecast grouped otherwise refused by file and column."""
    from tariffkit.budget import authority_from_haap

    hist = pl.DataFrame(
        {"paragraph": ["SEL 107"], "period": ["2025"], "citizens": [10], "haap": [10.0], "expense": [Decimal(5_000_000)], "average_price": [Decimal(500_000)]}
    ).with_columns(pl.col("average_price").cast(pl.Decimal(18, 2)), pl.col("expense").cast(pl.Decimal(18, 2)))
    fc = pl.DataFrame({"paragraph": ["SEL 107", "SEL 107"], "period": ["2026", "2027"], "haap": [12.0, 99.0], "expense": [Decimal(6_300_000), Decimal(1)]})
    r = authority_from_haap(hist, fc, 2026).row(0, named=True)
    assert r["paragraph"] == "SEL 107" and r["forecast_haap"] == 12.0 and r["budget"] == Decimal(10 * 515_000)
    with pytest.raises(DataError) as e:
        authority_from_haap(hist, fc.rename({"paragraph": "offer_id"}), 2026, files=("h.parquet", "f.parquet"))
    assert (e.value.file, e.value.column) == ("f.parquet", "paragraph")
    with pytest.raises(DataError) as e:
        authority_from_haap(hist.drop("average_price"), None, 2026, files=("h.parquet", "f.parquet"))
    assert (e.value.file, e.value.column) == ("h.parquet", "average_price")
    with pytest.raises(DataError, match="no rows for 2029 .the base year before 2030.; run compute-haap `year` 2029") as e:
        authority_from_haap(hist, None, 2030, files=("h.parquet", "f.parquet"))
    assert (e.value.file, e.value.column) == ("h.parquet", "period")


def test_authority_budget_rounds_halves_away_from_zero_in_exact_decimals():
    """The issue's example: 1 HÅP × 100.50 kr is 101 kr (half away from zero), not 100 (Python's
    round() of a float goes to even); 100.50 × 1.03 = 103.515 is 103.52 per HÅP, not the float's
    103.51; a volume effect of half an øre rounds away from zero too."""
    hist = pl.DataFrame(
        {
            "paragraph": ["A", "B", "C"],
            "period": ["2025"] * 3,
            "haap": [1.0, 1.0, 2.0],
            "average_price": [Decimal("100.50"), Decimal("101.50"), Decimal("100.50")],
        }
    ).with_columns(pl.col("average_price").cast(pl.Decimal(18, 2)))
    flat = authority_budget(hist, None, ["paragraph"], 2026, AuthorityAssumptions(pl_rate=0.0))
    assert flat["budget"].to_list() == [Decimal("101"), Decimal("102"), Decimal("201")]
    assert flat["forecast"].to_list() == [None] * 3
    pl3 = authority_budget(hist, None, ["paragraph"], 2026, AuthorityAssumptions(pl_rate=0.03))
    assert pl3["budget_average_price"].to_list() == [Decimal("103.52"), Decimal("104.55"), Decimal("103.52")]
    assert pl3["budget"].to_list() == [Decimal("104"), Decimal("105"), Decimal("207")]  # 103.52, 104.545 → 105, 207.04
    fc = pl.DataFrame({"paragraph": ["A", "D"], "haap": [1.005, 1.0], "expense": [Decimal("110.00"), Decimal("50.00")]})
    out = authority_budget(hist, fc, ["paragraph"], 2026, AuthorityAssumptions(pl_rate=0.0))
    a, b, d = out.row(0, named=True), out.row(1, named=True), out.row(3, named=True)
    assert a["volume_effect"] == Decimal("0.50")  # 0.005 × 100.50 = 0.5025 → 0.50
    assert a["deviation"] == Decimal("9.00") and a["price_effect"] == Decimal("8.50") and a["forecast_average_price"] == Decimal("109.45")
    assert b["forecast"] == 0 and b["deviation"] == Decimal("-102") and b["volume_effect"] == Decimal("-101.50")  # no forecast: 0
    assert (
        d["budget"] == 0 and d["deviation"] == Decimal("50.00") and d["volume_effect"] == Decimal("50.00") and d["price_effect"] == 0
    )  # a forecast without a budget: all volume
    half = authority_budget(
        hist.head(1), pl.DataFrame({"paragraph": ["A"], "haap": [1.1], "expense": [Decimal("0")]}), ["paragraph"], 2026, AuthorityAssumptions(pl_rate=0.0)
    )
    assert half["volume_effect"][0] == Decimal("10.05")  # 0.1 × 100.50 = 10.05 exactly (a float makes it 10.049999…)


def test_sample_budget_shows_the_planted_deficit(sample_out):
    """T102's forecast staff costs are planted 9 % above its tariff budget (FINDINGS.md)."""
    out, _ = sample_out
    df = pl.read_parquet(out / "budget-2026.parquet")
    res = {r["offer_id"]: r["value"] for r in df.filter((pl.col("basis") == "forecast") & (pl.col("line") == "expected_result")).iter_rows(named=True)}
    assert res["T102"] < -1_000_000
    assert all(abs(v) < 100 for k, v in res.items() if k != "T102")


def test_sample_allocation_and_authority_outputs(sample_out):
    out, _ = sample_out
    alloc = pl.read_parquet(out / "fordeling-2026.parquet")
    assert set(alloc["phase_year"].to_list()) == {2026, 2027}
    first = alloc.filter(pl.col("phase_year") == 2026)
    assert (first["new_budget"] - first["frame_budget"] == first["phased_change"]).all()
    auth = pl.read_parquet(out / "myndighed-2026.parquet")
    assert (auth["volume_effect"] + auth["price_effect"] == auth["deviation"]).all()


def test_out_years_with_indexed_income_stay_in_balance(sample_out, run, tmp_path):
    """With --index-income the tariffs follow PL (without the one-off carried result), so an
    offer in balance in the budget year stays in balance within a few kroner of rounding; held
    income (BDO's printed model, the default) drifts into deficit by the PL on its costs."""
    out, _ = sample_out
    args = [
        "budget-forecast",
        "--year",
        "2026",
        "--costs",
        SAMPLE / "costs.csv",
        "--offers",
        SAMPLE / "offers.csv",
        "--tariffs",
        out / "takster-2026.parquet",
        "--expected-haap",
        out / "belaegning-2026.parquet",
        "--haap",
        out / "belaegning-2026.parquet",
    ]
    held, indexed = tmp_path / "h.parquet", tmp_path / "i.parquet"
    assert run(*args, "-o", held).exit_code == 0 and run(*args, "--index-income", "-o", indexed).exit_code == 0
    for path, bound in ((indexed, 10), (held, None)):
        b = pl.read_parquet(path).filter((pl.col("offer_id") == "T101") & (pl.col("line") == "expected_result"))
        fc = float(b.filter(pl.col("basis") == "forecast")["value"][0])
        last = float(b.filter(pl.col("year") == 2031)["value"][0])
        assert abs(fc) <= 10
        if bound:
            assert abs(last) <= bound, "in balance stays in balance"
        else:
            assert last < -100_000, "held income: the deficit is the PL on the costs"


def test_ata_hours_placed_come_from_the_schedules_and_say_so(run, tmp_path, sample_out):
    from decimal import Decimal

    out, _ = sample_out
    base = [
        "budget-forecast",
        "--year",
        "2026",
        "--costs",
        SAMPLE / "costs.csv",
        "--tariffs",
        out / "takster-2026.parquet",
        "--haap",
        out / "belaegning-2026.parquet",
        "--expected-haap",
        out / "belaegning-2026.parquet",
        "--out-years",
        "0",
    ]
    assert run(*base, "--placed-hours", out / "genindplacering-2026.parquet", "-o", tmp_path / "s.parquet").exit_code == 0
    assert run(*base, "-o", tmp_path / "m.parquet").exit_code == 0
    r = pl.read_parquet(out / "genindplacering-2026.parquet")
    for p, source in ((tmp_path / "s.parquet", "døgnskemaer"), (tmp_path / "m.parquet", "repræsentative timer")):
        b = pl.read_parquet(p).filter(pl.col("offer_id") == "T101")
        assert source in b.filter(pl.col("line") == "ata_hours_placed_source")["text"][0]
    placed = pl.read_parquet(tmp_path / "s.parquet").filter((pl.col("offer_id") == "T101") & (pl.col("line") == "ata_hours_placed"))["value"][0]
    weekly = sum(Decimal(str(v)) for v in r.filter(pl.col("offer_id") == "T101")["hours_counted"].fill_null(0))
    assert placed == (weekly * 52).quantize(Decimal("0.01"))
    r2 = run("report", "offer", tmp_path / "s.parquet", "-o", tmp_path / "s.xlsx")
    assert r2.exit_code == 0
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "s.xlsx").worksheets[1]
    assert any(isinstance(c.value, str) and c.value.startswith("døgnskemaer:") for row in ws.iter_rows() for c in row)


def test_placed_hours_for_some_offers_only(run, tmp_path, sample_out):
    """--placed-hours with schedules for one offer only: the other offers fall back to the
    levels' representative hours, each saying so (an offer without schedules followed by one
    with them was an internal error: the schedules' table was overwritten by a number)."""
    out, _ = sample_out
    r = pl.read_parquet(out / "genindplacering-2026.parquet")
    offers = sorted(r["offer_id"].unique().to_list())
    assert len(offers) >= 2
    last = offers[-1]  # schedules for the last offer only: every offer before it has none
    r.filter(pl.col("offer_id") == last).write_parquet(tmp_path / "one.parquet")
    res = run(
        "budget-forecast", "--year", "2026", "--costs", SAMPLE / "costs.csv", "--tariffs", out / "takster-2026.parquet",
        "--haap", out / "belaegning-2026.parquet", "--expected-haap", out / "belaegning-2026.parquet", "--out-years", "0",
        "--placed-hours", tmp_path / "one.parquet", "-o", tmp_path / "b.parquet",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    src = pl.read_parquet(tmp_path / "b.parquet").filter((pl.col("line") == "ata_hours_placed_source") & (pl.col("basis") == "tariff_budget"))
    by_offer = dict(src.select("offer_id", "text").iter_rows())
    assert "døgnskemaer" in by_offer[last]
    assert all("repræsentative timer" in t for o, t in by_offer.items() if o != last)


def test_the_same_warning_for_many_offers_is_one_line_that_counts_them(capsys):
    from tariffkit.cli.common import warn

    warn([f"offer T{i}: no forecast cost lines for 2027" for i in range(1, 1668)] + ["offer T9: no tariffs for 2027", "a general word"])
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "tariffkit: warning: 1667 offers (T1, T2, T3 and 1664 more): no forecast cost lines for 2027",
        "tariffkit: warning: offer T9: no tariffs for 2027",
        "tariffkit: warning: a general word",
    ]
    warn([f"offer T{i}: nobody on level 2" for i in range(1, 5)])  # four: each named (a count would hide no more than one)
    assert capsys.readouterr().err.count("\n") == 4


def test_the_models_are_subcommands_and_the_old_flags_still_give_the_same_table(sample_out, run, tmp_path):
    """budget-forecast offer | allocation | authority (issue 21); the form with --authority and
    --allocation still works, says which subcommand it is, and gives the same rows."""
    out, _ = sample_out
    offer = ["--year", "2026", "--costs", SAMPLE / "costs.csv", "--offers", SAMPLE / "offers.csv", "--tariffs", out / "takster-2026.parquet"]
    offer += ["--expected-haap", out / "belaegning-2026.parquet", "--haap", out / "belaegning-2026.parquet", "--out-years", "2"]
    alloc = ["--year", "2026", "--payments", out / "payments.parquet", "--tariffs", out / "takster-2026.parquet", "--costs", SAMPLE / "costs.csv"]
    auth = ["--year", "2026", "--haap", out / "haap-historik-paragraf.parquet", "--forecast", out / "prognose-2026-paragraf.parquet"]
    cases = [
        (["offer", *offer], [*offer], "budget-forecast offer"),
        (["allocation", "--mode", "hybrid", *alloc], ["--allocation", "hybrid", *alloc], "budget-forecast allocation --mode hybrid"),
        (["authority", *auth], ["--authority", *auth], "budget-forecast authority"),
    ]
    for i, (new, old, name) in enumerate(cases):
        a, b = tmp_path / f"new{i}.parquet", tmp_path / f"old{i}.parquet"
        r = run("budget-forecast", *new, "-o", a)
        assert r.exit_code == 0, r.output
        assert "note:" not in r.output
        r = run("budget-forecast", *old, "-o", b)
        assert r.exit_code == 0, r.output
        assert f"this is `{name}`" in r.output
        assert pl.read_parquet(a).equals(pl.read_parquet(b)), name
    assert run("budget-forecast", "authority", *auth, "--out-years", "2").exit_code == 2, "an option of another model is refused"
    assert "offer" in run("budget-forecast", "--help").output


def test_a_setting_for_budget_forecast_reaches_the_models_that_have_the_option(run, tmp_path, monkeypatch, sample_out):
    out, _ = sample_out
    (tmp_path / "tariffkit.toml").write_text("[commands.budget-forecast]\nout-years = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    offer = ["--year", "2026", "--costs", SAMPLE / "costs.csv", "--tariffs", out / "takster-2026.parquet", "--haap", out / "belaegning-2026.parquet"]
    r = run("budget-forecast", "offer", *offer, "-o", tmp_path / "b.parquet")
    assert r.exit_code == 0, r.output
    assert pl.read_parquet(tmp_path / "b.parquet")["year"].max() == 2027, "one out-year, from the settings"
    auth = ["--year", "2026", "--haap", out / "haap-historik-paragraf.parquet"]
    assert run("budget-forecast", "authority", *auth, "-o", tmp_path / "m.parquet").exit_code == 0, "authority has no --out-years: not given it"
    (tmp_path / "tariffkit.toml").write_text("[commands.budget-forecast]\nout-yeras = 1\n", encoding="utf-8")
    r = run("budget-forecast", "offer", *offer, "-o", tmp_path / "c.parquet")
    assert r.exit_code == 2 and "out-yeras" in r.output


def test_next_years_budget_splits_the_change_from_last_years_budget(run, tmp_path, sample_out):
    """`budget-forecast offer --previous` (in-process): each offer's change in cost basis from
    2026's forecast to 2027's tariff budget, split into volume (HÅP change × last year's cost per
    HÅP) and price (the rest), and the two add up to the change."""
    out, _ = sample_out
    args = ["--year", "2027", "--costs", out / "costs-2027.parquet", "--staff", SAMPLE / "staff.csv", "--offers", SAMPLE / "offers.csv"]
    args += ["--tariffs", out / "takster-2027.parquet", "--expected-haap", out / "belaegning-2027.parquet", "--haap", out / "belaegning-2027.parquet"]
    args += ["--results", out / "resultater.parquet", "--previous", out / "budget-2026.parquet", "--out-years", "1"]
    r = run("budget-forecast", "offer", *args, "-o", tmp_path / "b.parquet")
    assert r.exit_code == 0, r.output
    b = pl.read_parquet(tmp_path / "b.parquet")
    prev = pl.read_parquet(out / "budget-2026.parquet")
    v = {(o, ln): x for o, ln, x in b.filter((pl.col("year") == 2027) & (pl.col("basis") == "tariff_budget")).select("offer_id", "line", "value").iter_rows()}
    p = {(o, ln): x for o, ln, x in prev.filter((pl.col("year") == 2026) & (pl.col("basis") == "forecast")).select("offer_id", "line", "value").iter_rows()}
    offers = sorted({o for o, _ in v})
    assert offers and all((o, "cost_change") in v for o in offers)
    for o in offers:
        assert v[(o, "cost_change")] == v[(o, "cost_basis")] - p[(o, "cost_basis")]
        assert v[(o, "previous_haap")] == p[(o, "haap_total")]
        per = p[(o, "cost_basis")] / p[(o, "haap_total")]
        assert v[(o, "volume_effect")] == ((v[(o, "haap_total")] - p[(o, "haap_total")]) * per).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert v[(o, "volume_effect")] + v[(o, "price_effect")] == v[(o, "cost_change")]


def test_the_offer_model_names_file_and_column_when_the_year_is_missing(sample_out):
    from tariffkit.budget import OfferModelOptions, expected_haap, offer_model
    from tariffkit.io import read_table

    out, _ = sample_out
    costs = read_table(str(SAMPLE / "costs.csv"), contract="costs")
    tariffs = pl.read_parquet(out / "takster-2026.parquet")
    occ = expected_haap(pl.read_parquet(out / "belaegning-2026.parquet"), 2026)
    files = {"costs": "c.csv", "tariffs": "t.parquet", "haap": "h.parquet"}
    with pytest.raises(DataError, match="no cost lines for 2026") as e:
        offer_model(costs.filter(pl.col("year") != 2026), None, None, tariffs, occ, occ, OfferModelOptions(year=2026, out_years=0), files=files)
    assert (e.value.file, e.value.column) == ("c.csv", "year")
    with pytest.raises(DataError, match="no level tariffs for 2026") as e:
        offer_model(costs, None, None, tariffs.with_columns(year=pl.lit(2027, pl.Int32)), occ, occ, OfferModelOptions(year=2026, out_years=0), files=files)
    assert (e.value.file, e.value.column) == ("t.parquet", "year")
    # called from a notebook without file names, the error names the argument
    with pytest.raises(DataError, match="no cost lines for 2026") as e:
        offer_model(costs.filter(pl.col("year") != 2026), None, None, tariffs, occ, occ, OfferModelOptions(year=2026, out_years=0))
    assert (e.value.file, e.value.column) == ("costs", "year")
    with pytest.raises(DataError, match="no level tariffs for 2026") as e:
        offer_model(costs, None, None, tariffs.with_columns(year=pl.lit(2027, pl.Int32)), occ, occ, OfferModelOptions(year=2026, out_years=0))
    assert (e.value.file, e.value.column) == ("tariffs", "year")


def test_an_offers_haap_of_one_level_in_several_rows_adds_up():
    """The income side's HÅP per level and origin: a level given in two rows (two paragraphs,
    or own citizens in two groups) counts both; other municipalities' citizens apart."""
    from tariffkit.budget.income import _haap_by_level

    h = pl.DataFrame(
        {
            "offer_id": ["T", "T", "T", "U"],
            "level": [1, 1, 1, 1],
            "origin": ["own", "own", "other", "own"],
            "haap": [1.5, 2.25, 0.5, 9.0],
            "supplement_hours": [1.0, 2.0, 0.0, 5.0],
        }
    )
    levels, supplement = _haap_by_level(h, "T")
    assert levels == {(1, "own"): Decimal("3.75"), (1, "other"): Decimal("0.5")} and supplement == Decimal(3)


def test_the_authority_assumptions_are_read_whole():
    from tariffkit.budget.authority import parse_authority

    a = parse_authority({"pl_rate": 0.02, "price_growth": 0.01, "groups": {"SEL 108": {"expected_haap": 12, "price_growth": 0.05}}})
    assert (a.pl_rate, a.price_growth, a.expected_haap) == (0.02, 0.01, {"SEL 108": 12.0})
    assert a.growth == {"SEL 108": 0.05}
    with pytest.raises(DataError) as e:
        parse_authority({"pl": 0.02}, "antagelser.toml")
    assert (e.value.file, e.value.column) == ("antagelser.toml", "pl")


def test_haap_on_a_level_without_a_tariff_names_the_haap_table():
    """HÅP expected on a level the tariffs do not have: the offer model names the HÅP table (by
    its argument's name from a notebook) and the level."""
    from tariffkit.budget import OfferModelOptions, offer_model

    costs = pl.DataFrame(
        [{"offer_id": "X", "year": 2026, "basis": "tariff_budget", "line": "rent", "label": None, "group": "fixed_offer", "follows_ata": False, "amount": 1}],
        schema_overrides={"year": pl.Int32, "amount": pl.Decimal(18, 2)},
    )
    tariffs = _tariffs(levels=(1, 2)).with_columns(
        hours=pl.lit(10.0), price_per_weekly_hour=pl.lit(Decimal(0)).cast(pl.Decimal(18, 2)), year=pl.lit(2026, pl.Int32)
    )
    haap = pl.DataFrame({"offer_id": ["X"], "level": [3], "haap": [1.0]}, schema_overrides={"level": pl.Int16})
    for files, named in ((None, "haap"), ({"haap": "belaegning.parquet"}, "belaegning.parquet")):
        with pytest.raises(DataError) as e:
            offer_model(costs, None, None, tariffs, haap, haap, OfferModelOptions(year=2026, out_years=0), files=files)
        assert (e.value.file, e.value.column) == (named, "level") and "HÅP on level 3, which has no tariff" in e.value.message
