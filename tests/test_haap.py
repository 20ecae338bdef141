"""compute-haap: hand-computed cases for every rule, the budget split, invariants, the CLI."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from conftest import SAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffkit.contracts import PAYMENTS
from tariffkit.errors import UsageError
from tariffkit.haap import HaapOptions, budget_deviation, compute, spread_months
from tariffkit.history import lines_in_force

D = dt.date


def pay(rows, extract=None):
    """rows: (citizen, level, from, to, amount, kind='actual', offer='T1', extract_date=None).

    A line without an extract date gets ``extract``, else the newest actual date of the rows,
    else the day before the first commitment: one snapshot in which every commitment counts."""
    if extract is None:
        actual = [r[3] for r in rows if (r[5] if len(r) > 5 else "actual") != "commitment"]
        extract = max(actual) if actual else min(r[2] for r in rows) - dt.timedelta(days=1)
    recs = []
    for i, r in enumerate(rows):
        c, lvl, f, t, a, *rest = r
        kind = rest[0] if rest else "actual"
        offer = rest[1] if len(rest) > 1 else "T1"
        ed = rest[2] if len(rest) > 2 and rest[2] is not None else extract
        recs.append(
            {
                "citizen_id": c,
                "case_id": "S",
                "caseworker": "M",
                "offer_id": offer,
                "offer_name": "O",
                "provider": "internal",
                "paragraph": "SEL 108",
                "function": "5.38.50",
                "level": lvl,
                "service_from": f,
                "service_to": t,
                "amount": Decimal(str(a)),
                "kind": kind,
                "extract_date": ed,
                "source_file": "f",
                "source_row": i + 2,
            }
        )
    return pl.DataFrame(recs, schema=PAYMENTS.schema)


YEAR = HaapOptions(start=D(2025, 1, 1), end=D(2025, 12, 1), period_label="2025")


def year(df, **kw):
    return compute(df, HaapOptions(**{**YEAR.__dict__, **kw})).row(0, named=True)


def test_full_year_citizen_is_one_haap():
    r = year(pay([("a", 3, D(2025, 1, 1), D(2025, 12, 31), 365000)]))
    assert r["haap"] == 1.0 and r["citizens"] == 1 and r["expense"] == Decimal("365000.00") and r["average_price"] == Decimal("365000.00")


def test_spread_pro_rata_by_days_with_residue_in_last_month():
    df = pay([("a", 3, D(2025, 1, 16), D(2025, 3, 15), 1000.01)])
    s = spread_months(df.lazy(), ["citizen_id"]).collect().sort("month")
    # 16 + 28 + 15 = 59 days: trunc(100001 × 16/59) = 27118, trunc(100001 × 28/59) = 47458, rest 25425
    assert s["ore"].to_list() == [27118, 47458, 25425]
    assert s["ore"].sum() == 100001


def test_average_price_that_ends_in_half_an_ore_rounds_away_from_zero():
    # 8 citizens all year + one for 80 days (Jan 1 – Mar 21) = 3,000 days → HÅP 3000/365;
    # 7,279,065.00 / (3000/365) = 885,619.575 exactly → 885,619.58. Dividing by the HÅP as a
    # float gave 885,619.57499… and rounded down.
    rows = [(f"c{i}", 3, D(2026, 1, 1), D(2026, 12, 31), 800000) for i in range(8)]
    rows.append(("c9", 3, D(2026, 1, 1), D(2026, 3, 21), 879065))
    r = compute(pay(rows), HaapOptions(start=D(2026, 1, 1), end=D(2026, 12, 1), period_label="2026", method="days")).row(0, named=True)
    assert r["haap"] == pytest.approx(3000 / 365) and r["expense"] == Decimal("7279065.00")
    assert r["average_price"] == Decimal("885619.58")


def test_citizen_moving_in_mid_month_counts_the_month():
    r = year(pay([("a", 3, D(2025, 6, 20), D(2025, 12, 31), 100)]))
    assert r["haap"] == pytest.approx(7 / 12) and r["inflow"] == 1 and r["outflow"] == 0


def test_days_method_counts_days():
    r = year(pay([("a", 3, D(2025, 6, 20), D(2025, 12, 31), 100)]), method="days")
    assert r["haap"] == pytest.approx(195 / 365)


def test_two_lines_in_one_month_count_once():
    r = year(pay([("a", 3, D(2025, 3, 1), D(2025, 3, 31), 100), ("a", 3, D(2025, 3, 10), D(2025, 3, 20), 50)]))
    assert r["haap"] == pytest.approx(1 / 12) and r["expense"] == Decimal("150.00")


def test_correction_that_cancels_a_month():
    r = year(pay([("a", 3, D(2025, 3, 1), D(2025, 3, 31), 100), ("a", 3, D(2025, 4, 1), D(2025, 4, 30), 100), ("a", 3, D(2025, 4, 1), D(2025, 4, 30), -100)]))
    assert r["haap"] == pytest.approx(1 / 12) and r["expense"] == Decimal("100.00")
    assert r["outflow"] == 1, "the cancelled April is not a month with service"


def test_level_change_moves_citizen_between_level_groups():
    df = pay([("a", 2, D(2025, 1, 1), D(2025, 6, 30), 600), ("a", 3, D(2025, 7, 1), D(2025, 12, 31), 900)])
    out = compute(df, HaapOptions(**{**YEAR.__dict__, "by": ("level",)}))
    l2, l3 = out.row(0, named=True), out.row(1, named=True)
    assert (l2["level"], l2["haap"], l2["outflow"], l2["inflow"]) == (2, 0.5, 1, 1)
    assert (l3["level"], l3["haap"], l3["inflow"], l3["outflow"]) == (3, 0.5, 1, 0)


def test_inflow_counts_against_the_month_before_the_period():
    df = pay([("a", 3, D(2024, 12, 1), D(2025, 2, 28), 300)])
    r = year(df)
    assert r["inflow"] == 0 and r["outflow"] == 1


def test_overlapping_lines_days_method_uses_the_union():
    df = pay([("a", 3, D(2025, 1, 1), D(2025, 1, 20), 100), ("a", 3, D(2025, 1, 10), D(2025, 1, 31), 100)])
    assert year(df, method="days")["haap"] == pytest.approx(31 / 365)


def test_commitment_past_year_end_only_counts_inside_the_year():
    df = pay([("a", 3, D(2025, 10, 1), D(2026, 3, 31), 182000, "commitment")])
    r = year(df)
    # 92 of 182 days fall in 2025: trunc(18 200 000 øre × 31/182) etc.; the year gets its share only
    assert r["haap"] == pytest.approx(3 / 12)
    assert r["expense"] == Decimal("92000.00")


def test_forecast_as_of_uses_actuals_then_commitments():
    df = pay(
        [
            ("a", 3, D(2025, 1, 1), D(2025, 3, 31), 300, "actual", "T1", D(2025, 3, 31)),  # March's extract
            ("a", 3, D(2025, 4, 1), D(2025, 12, 31), 999, "commitment", "T1", D(2025, 3, 31)),  # its commitment, superseded
            ("a", 3, D(2025, 4, 1), D(2025, 6, 30), 300, "actual", "T1", D(2025, 6, 30)),  # June's extract
            ("a", 3, D(2025, 7, 1), D(2025, 12, 31), 600, "commitment", "T1", D(2025, 6, 30)),  # the commitment in force
        ]
    )
    r = year(df, as_of=D(2025, 6, 30))
    assert r["haap_ytd"] == pytest.approx(0.5) and r["expense_ytd"] == Decimal("600.00")
    assert r["haap_forecast"] == pytest.approx(1.0) and r["expense_forecast"] == Decimal("1200.00")
    # what the history said in March: actuals to March and March's commitment
    r = year(df, as_of=D(2025, 3, 31), known_at=D(2025, 3, 31))
    assert r["expense_ytd"] == Decimal("300.00") and r["expense_forecast"] == Decimal("1299.00")
    with pytest.raises(UsageError, match="after the newest extract date 2025-06-30"):
        year(df, as_of=D(2025, 7, 31))


def test_budget_split_adds_up():
    df = pay([("a", 3, D(2025, 1, 1), D(2025, 12, 31), 1_100_000), ("b", 3, D(2025, 1, 1), D(2025, 6, 30), 500_000)])
    out = compute(df, HaapOptions(**{**YEAR.__dict__, "by": ("offer_id",)}))
    b = pl.DataFrame({"offer_id": ["T1"], "haap": [1.0], "average_price": [Decimal("1000000.00")]})
    r = budget_deviation(out, b, ["offer_id"]).row(0, named=True)
    assert r["budget_expense"] == Decimal("1000000.00")
    assert r["deviation"] == Decimal("600000.00")
    assert r["volume_effect"] == Decimal("500000.00")  # 0.5 HÅP more × 1 mio.
    assert r["price_effect"] == Decimal("100000.00")  # (1 066 666.67 − 1 mio.) × 1.5
    assert r["volume_effect"] + r["price_effect"] == r["deviation"]


lines = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(1, 5),
        st.dates(D(2024, 11, 1), D(2026, 2, 1)),
        st.integers(0, 120),
        st.integers(-500_000_00, 2_000_000_00),
        st.sampled_from(["actual", "commitment"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(lines)
def test_invariants(rows):
    df = pay([(c, lv, f, f + dt.timedelta(days=n), Decimal(a) / 100, k) for c, lv, f, n, a, k in rows])
    yearly = compute(df, HaapOptions(**{**YEAR.__dict__, "by": ("level",)}))
    for r in yearly.iter_rows(named=True):
        assert 0 <= r["haap"] <= r["citizens"]
    monthly = compute(df, HaapOptions(start=D(2025, 1, 1), end=D(2025, 12, 1), monthly=True, by=("level",)))
    for lvl in yearly["level"].unique().to_list():
        y = yearly.filter(pl.col("level").eq_missing(lvl))["haap"].sum()
        m = monthly.filter(pl.col("level").eq_missing(lvl))["haap"].sum()
        assert y == pytest.approx(m), "monthly rows are on the yearly scale: they add up to the year"
    # Σ expense over groups = Σ of the input spread into 2025, to the øre
    s = spread_months(lines_in_force(df)[0], ["citizen_id"]).collect().filter(pl.col("month").dt.year() == 2025)["ore"].sum()
    assert int((yearly["expense"] * 100).cast(pl.Int64).sum()) == s


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12))
def test_days_and_months_agree_for_whole_months(m1, m2):
    a, b = sorted((m1, m2))
    start, end = D(2025, a, 1), (D(2025, b + 1, 1) - dt.timedelta(days=1)) if b < 12 else D(2025, 12, 31)
    df = pay([("a", 3, start, end, 1000)])
    months, days = year(df)["haap"], year(df, method="days")["haap"]
    assert months == pytest.approx((b - a + 1) / 12)
    assert days == pytest.approx((end - start).days / 365 + 1 / 365)
    assert abs(months - days) < 0.01
    if (a, b) == (1, 12):
        assert months == days == 1.0


def test_cli_chain_import_to_haap_and_budget(run, tmp_path):
    p = tmp_path / "p.parquet"
    assert run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv", "-o", p).exit_code == 0
    out = tmp_path / "h.parquet"
    r = run("compute-haap", p, "--year", "2026", "--by", "offer_id", "--as-of", "2026-09-30", "-o", out)
    assert r.exit_code == 0, r.output
    h = pl.read_parquet(out)
    assert {"haap_ytd", "expense_forecast"} <= set(h.columns) and h.height == 8
    budget = tmp_path / "b.csv"
    budget.write_text("offer_id;haap;average_price\n" + "\n".join(f"{o};20;750.000,00" for o in h["offer_id"]), encoding="utf-8")
    out2 = tmp_path / "h2.parquet"
    r = run("compute-haap", p, "--year", "2026", "--by", "offer_id", "--budget", budget, "-o", out2)
    assert r.exit_code == 0, r.output
    d = pl.read_parquet(out2)
    assert (d["volume_effect"] + d["price_effect"] == d["deviation"]).all()


@pytest.mark.parametrize(
    "args,code",
    [
        (("--year", "2025", "--from", "2025-01", "--to", "2025-02"), 2),
        (("--from", "2025-13", "--to", "2025-12"), 2),
        (("--by", "amount"), 2),
        (("--as-of", "2027-01-31", "--year", "2025"), 2),
    ],
)
def test_cli_usage_errors(run, tmp_path, args, code):
    p = tmp_path / "p.parquet"
    run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv", "-o", p)
    assert run("compute-haap", p, *args, "-o", tmp_path / "x.parquet").exit_code == code


@pytest.mark.parametrize("by", [("offer_id", "level"), ("caseworker", "provider", "level"), ()])
def test_groups_numbered_instead_of_packed_give_the_same_table(monkeypatch, by):
    # Too many combinations of --by values to pack into one number are numbered one by one
    # instead; the table must not change, and the columns keep their types and nulls.
    import tariffkit.haap as haap

    rows = [
        (
            f"c{i % 7}",
            [1, 2, None][i % 3],
            D(2025, 1 + i % 12, 1),
            D(2025, 1 + (i * 5) % 12, 28) if i % 4 else D(2025, 1 + i % 12, 28),
            [900, -300, 1200][i % 3],
            "actual",
            f"T{i % 3}",
        )
        for i in range(60)
    ]
    df = pay([r if r[3] >= r[2] else (r[0], r[1], r[3], r[2], *r[4:]) for r in rows])
    df = df.with_columns(caseworker=pl.when(pl.col("source_row") % 5 == 0).then(None).otherwise(pl.format("M{}", pl.col("source_row") % 3)))
    opts = HaapOptions(by=by, start=D(2025, 1, 1), end=D(2025, 12, 1), monthly=True, period_label="2025")
    packed = compute(df, opts)
    monkeypatch.setattr(haap, "_PACK_LIMIT", 1)
    numbered = compute(df, opts)
    assert packed.height >= 12 and packed.equals(numbered)
    assert dict(packed.schema) == {**{k: PAYMENTS.schema[k] for k in by}, **{k: v for k, v in packed.schema.items() if k not in by}}
    if "level" in by:
        assert packed["level"].null_count() > 0


def test_too_many_groups_to_number_is_a_usage_error_not_a_crash(monkeypatch):
    import tariffkit.haap as haap
    from tariffkit.errors import UsageError

    monkeypatch.setattr(haap, "_KEY_SPACE", 10)
    with pytest.raises(UsageError, match="fewer `by` columns"):
        compute(pay([("a", 3, D(2025, 1, 1), D(2025, 12, 31), 1000)]), YEAR)


def test_the_calendar_tables_give_the_arithmetic_months_and_first_days():
    """compute-haap looks month numbers and first days up in a table (faster than the calendar
    arithmetic): every day from 1900 to 2200, leap days included, gets the arithmetic's month."""
    from tariffkit.haap import _Calendar, _first_day, _month_number

    lo, hi = D(1900, 1, 1), D(2200, 12, 31)
    days = pl.DataFrame({"d": pl.date_range(lo, hi, "1d", eager=True)})
    cal = _Calendar(lo, hi)
    got = days.select(m=cal.month(pl.col("d")), want=_month_number(pl.col("d")))
    assert got["m"].equals(got["want"], check_names=False) and got.height == (hi - lo).days + 1
    months = got.select(pl.col("want").unique().sort()).with_columns(nxt=pl.col("want") + 1)
    starts = months.select(
        s=cal.start(pl.col("want")), want=_first_day(pl.col("want")).to_physical(), s1=cal.start(pl.col("nxt")), want1=_first_day(pl.col("nxt")).to_physical()
    )
    assert starts["s"].equals(starts["want"], check_names=False) and starts["s1"].equals(starts["want1"], check_names=False)
    narrow = _Calendar(D(2024, 2, 28), D(2024, 3, 1))  # a table over a leap day only
    assert pl.DataFrame({"d": [D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1)]}).select(narrow.month(pl.col("d")))["d"].to_list() == [24289, 24289, 24290]


def test_budget_deviation_rounds_the_exact_budget_not_its_float():
    """0.3 HÅP × 100.05 kr = 30.015 kr: exactly half an øre, so 30.02 (as floats 30.01499…: 30.01)."""
    out = pl.DataFrame({"offer_id": ["T1"], "haap": [0.3], "expense": [Decimal("30.00")]}).with_columns(pl.col("expense").cast(pl.Decimal(18, 2)))
    b = pl.DataFrame({"offer_id": ["T1"], "haap": [0.3], "average_price": [Decimal("100.05")]}).with_columns(pl.col("average_price").cast(pl.Decimal(18, 2)))
    r = budget_deviation(out, b, ["offer_id"]).row(0, named=True)
    assert r["budget_expense"] == Decimal("30.02")
    assert r["deviation"] == Decimal("-0.02") and r["volume_effect"] == Decimal("0.00") and r["price_effect"] == Decimal("-0.02")


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"year": 2026}, (D(2026, 1, 1), D(2026, 12, 1), "2026")),
        ({"from_month": D(2026, 3, 15), "to_month": D(2026, 6, 30)}, (D(2026, 3, 1), D(2026, 6, 1), "2026-03..2026-06")),
        ({"from_month": D(2026, 3, 1), "to_month": D(2026, 3, 1)}, (D(2026, 3, 1), D(2026, 3, 1), "2026-03")),
        ({"as_of": D(2026, 10, 31)}, (D(2026, 1, 1), D(2026, 12, 1), "2026")),
        ({"year": 2026, "as_of": D(2026, 12, 31), "known_at": D(2026, 12, 31)}, (D(2026, 1, 1), D(2026, 12, 1), "2026")),  # equal: fine
        ({}, (None, None, None)),
    ],
)
def test_period_of(kw, expected):
    from tariffkit.haap import period_of

    assert period_of(**kw) == expected


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"year": 2026, "from_month": D(2026, 1, 1), "to_month": D(2026, 2, 1)}, "either `year` or `from`/`to`"),
        ({"from_month": D(2026, 1, 1)}, "go together"),
        ({"from_month": D(2026, 2, 1), "to_month": D(2026, 1, 31)}, "`to` is before `from`"),
        ({"as_of": D(2026, 10, 2), "known_at": D(2026, 10, 1)}, "after `known_at`"),
        ({"year": 2026, "as_of": D(2027, 1, 1)}, "inside the period"),
        ({"from_month": D(2026, 2, 1), "to_month": D(2026, 3, 1), "as_of": D(2026, 1, 31)}, "inside the period"),
    ],
)
def test_period_of_refuses(kw, words):
    from tariffkit.haap import period_of

    with pytest.raises(UsageError, match=words):
        period_of(**kw)


def test_days_method_in_a_leap_year_counts_366_days_to_the_year():
    """2024 has 366 days: a citizen there all year is one HÅP, half a year (1 January–30 June,
    182 days) is 182/366 — not 182/365, and a whole year not 366/365."""
    opts = HaapOptions(start=D(2024, 1, 1), end=D(2024, 12, 1), period_label="2024", method="days")
    whole = compute(pay([("a", 3, D(2024, 1, 1), D(2024, 12, 31), 366_000)]), opts).row(0, named=True)
    half = compute(pay([("a", 3, D(2024, 1, 1), D(2024, 6, 30), 182_000)]), opts).row(0, named=True)
    assert whole["haap"] == 1.0
    assert half["haap"] == round(182 / 366, 10)


@pytest.mark.parametrize("year, days", [(2100, 365), (2000, 366), (2096, 366), (2026, 365)])
def test_days_method_knows_the_century_leap_rule(year, days):
    """2100 is not a leap year (divisible by 100, not by 400), 2000 and 2096 are: a citizen
    there all year is one HÅP on the year's own number of days, half of it half."""
    opts = HaapOptions(start=D(year, 1, 1), end=D(year, 12, 1), period_label=str(year), method="days")
    whole = compute(pay([("a", 3, D(year, 1, 1), D(year, 12, 31), 365_000)]), opts).row(0, named=True)
    half = compute(pay([("a", 3, D(year, 7, 1), D(year, 12, 31), 184_000)]), opts).row(0, named=True)
    assert whole["haap"] == 1.0 and half["haap"] == round(184 / days, 10)


def test_budget_deviation_without_groups_compares_the_total():
    """No `by`: the one total row against the one budget row (a cross join, not a join on nothing)."""
    df = pay([("a", 3, D(2025, 1, 1), D(2025, 12, 31), 1_100_000)])
    out = compute(df, YEAR)
    b = pl.DataFrame({"haap": [0.5], "average_price": [Decimal("1000000.00")]}).with_columns(pl.col("average_price").cast(pl.Decimal(18, 2)))
    r = budget_deviation(out, b, []).row(0, named=True)
    assert r["budget_expense"] == Decimal("500000.00") and r["deviation"] == Decimal("600000.00")
    assert r["volume_effect"] == Decimal("500000.00") and r["price_effect"] == Decimal("100000.00")
