"""The shared rules at their boundaries: money's one rounding and the CPR rules, each against an
obviously correct oracle (written here, not taken from tariffkit)."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffkit import cpr
from tariffkit.money import D0, ORE, dec, exact, kr, kr_of, kroner, ore, ore_of, ore_ratio, round_to


def _half_away(x: Decimal, step: Decimal) -> Decimal:
    """The oracle: how many steps, to the nearest whole, halves away from zero, by hand."""
    q, r = divmod(abs(x), step)  # abs(x) = q·step + r, 0 ≤ r < step
    n = q + (1 if 2 * r >= step else 0)
    return (n * step if x >= 0 else -n * step).quantize(min(step, Decimal(1)))


@pytest.mark.parametrize(
    ("x", "to_ore", "to_kr"),
    [
        ("2.5", "2.50", "3"),  # a half goes away from zero, not to the even neighbour (2)
        ("3.5", "3.50", "4"),
        ("-2.5", "-2.50", "-3"),  # for negative amounts too
        ("0.005", "0.01", "0"),
        ("-0.005", "-0.01", "-0"),
        ("0.004999", "0.00", "0"),
        ("100.49", "100.49", "100"),
        ("100.50", "100.50", "101"),
        ("101.50", "101.50", "102"),
        ("1.125", "1.13", "1"),  # to the øre: the half of the third decimal goes up
        ("1.135", "1.14", "1"),
    ],
)
def test_ore_and_kr_round_half_away_from_zero(x, to_ore, to_kr):
    assert str(ore(x)) == to_ore and str(ore(Decimal(x))) == to_ore
    assert str(kr(x)) == to_kr and str(kr(Decimal(x))) == to_kr
    assert ore(x).as_tuple().exponent == -2 and kr(x).as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("x", "step", "expected"),
    [
        ("125", "10", "130"),  # 12.5 steps → 13
        ("124.99", "10", "120"),
        ("-125", "10", "-130"),
        ("1234.5", "1", "1235"),
        ("2.345", "0.01", "2.35"),
        ("2.5", "5", "5"),  # exactly half a step of 5
        ("2.49", "5", "0"),
        ("7.5", "5", "10"),  # 1.5 steps: away from zero, not to even
        ("150", "100", "200"),
        ("250", "100", "300"),
    ],
)
def test_round_to_a_step(x, step, expected):
    got = round_to(x, step)
    assert got == Decimal(expected)
    assert str(got) == str(Decimal(expected).quantize(min(Decimal(step), Decimal(1))))  # whole kroner unless the step is finer


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
    st.sampled_from(["0.01", "0.1", "1", "5", "10", "100", "1000"]),
)
def test_round_to_equals_the_oracle(x, step):
    assert round_to(x, step) == _half_away(x, Decimal(step))
    assert round_to(x, step).as_tuple().exponent == _half_away(x, Decimal(step)).as_tuple().exponent


def test_dec_keeps_a_decimal_and_reads_a_float_by_its_shortest_text():
    d = Decimal("1.10")
    assert dec(d) is d  # not rebuilt: the exponent (two decimals) survives
    assert dec(0.1) == Decimal("0.1")  # not 0.1000000000000000055511151231257827…
    assert dec(3) == Decimal(3) and dec("2,5".replace(",", ".")) == Decimal("2.5")
    assert D0 == 0 and ORE == Decimal("0.01")


# ---- the same rule on whole columns ----


@pytest.mark.parametrize(
    ("haap", "price", "ore_expected", "kr_expected"),
    [
        (0.3, "100.05", 3002, "30"),  # 30.015 kr: as floats 3001.4999… øre, rounded down to 30.01
        (0.3, "101.55", 3047, "30"),  # 30.465
        (-0.3, "100.05", -3002, "-30"),  # away from zero below zero too
        (0.5, "201.01", 10051, "101"),  # 100.505
        (1.0, "100.50", 10050, "101"),  # a half krone: up, not to the even 100
        (1.0, "101.50", 10150, "102"),
        (0.1234567891, "100.01", 1235, "12"),  # ten decimals of HÅP kept: 12.346913477891
    ],
)
def test_column_money_rounds_the_exact_product_once(haap, price, ore_expected, kr_expected):
    df = pl.DataFrame({"h": [haap], "p": [Decimal(price)]}, schema={"h": pl.Float64, "p": pl.Decimal(18, 2)})
    got = df.select(o=ore_of(exact("h") * exact("p")), k=kr_of(exact("h") * exact("p")), back=kroner(ore_of(exact("h") * exact("p")))).row(0)
    assert got[0] == ore_expected
    assert got[1] == Decimal(kr_expected)
    assert got[2] == Decimal(ore_expected) / 100


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=-1000, max_value=1000, places=10, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**7), max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=10**6),
)
def test_column_money_equals_the_decimal_oracle(h, p, d):
    """HÅP (ten decimals, stored as a float) × a price, and øre ÷ a whole number, against the
    by-hand rounding of the exact decimal."""
    df = pl.DataFrame(
        {"h": [float(h)], "p": [p], "n": [int(p * 100)], "d": [d]}, schema={"h": pl.Float64, "p": pl.Decimal(18, 2), "n": pl.Int64, "d": pl.Int64}
    )
    o, k, r = df.select(a=ore_of(exact("h") * exact("p")), b=kr_of(exact("h") * exact("p")), c=ore_ratio("n", "d")).row(0)
    assert o == int(_half_away(h * p * 100, Decimal(1)))
    assert k == _half_away(h * p, Decimal(1))
    assert r == int(_half_away(Decimal(int(p * 100)) / Decimal(d), Decimal(1)))


def test_a_ratio_of_ore_rounds_its_halves_away_from_zero():
    """øre ÷ hours exactly at a half (5 ÷ 2, 7 ÷ 2, −5 ÷ 2): away from zero, never to even."""
    df = pl.DataFrame({"n": [5, 7, -5, -7, 4], "d": [2, 2, 2, 2, 2]})
    assert df.select(ore_ratio("n", "d"))["n"].to_list() == [3, 4, -3, -4, 2]


def test_a_pl_rate_in_percent_with_a_decimal_comma():
    """``2,5%`` (Danish decimal comma and a percent sign) is 0.025 for every out-year."""
    from tariffkit.rates import parse_pl

    assert parse_pl("2,5%", 2026, 2) == {2027: Decimal("0.025"), 2028: Decimal("0.025")}
    assert parse_pl("3%", 2026, 1) == {2027: Decimal("0.03")}


def test_exact_reads_a_float_at_ten_decimals_not_its_binary_value():
    df = pl.DataFrame({"x": [0.1, 2.675, 1 / 3]})
    assert df.select(exact("x"))["x"].to_list() == [Decimal("0.1"), Decimal("2.675"), Decimal("0.3333333333")]


# ---- periods ----


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 60), st.integers(0, 20)), max_size=12))
def test_merged_periods_count_each_day_once_like_a_set_of_days(periods):
    """The union of a key's periods against the oracle: the set of days they cover."""
    import datetime as dt

    from tariffkit.periods import days_between, merged_periods

    d0 = dt.date(2026, 1, 1)
    rows = [{"k": k, "f": d0 + dt.timedelta(days=s), "t": d0 + dt.timedelta(days=s + n)} for k, s, n in periods]
    frame = pl.DataFrame(rows, schema={"k": pl.String, "f": pl.Date, "t": pl.Date})
    got = merged_periods(frame, ["k"], "f", "t").group_by("k").agg(days=days_between("f", "t").sum(), blocks=pl.len())
    got_days = {r["k"]: r["days"] for r in got.iter_rows(named=True)}
    for key in {k for k, _, _ in periods}:
        covered = {s + i for k, s, n in periods if k == key for i in range(n + 1)}
        assert got_days[key] == len(covered)
        runs = sum(1 for day in covered if day - 1 not in covered)  # touching periods are one block
        assert got.filter(pl.col("k") == key)["blocks"].item() == runs


# ---- CPR ----


def _hmac_pseudonym(key: bytes, digits: str) -> str:
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()[:16]


@pytest.mark.parametrize("key", [b"k", b"test-key-0123456789abcdef", b"x" * 64, b"y" * 65, b"z" * 200])
def test_pseudonym_is_rfc2104_hmac_sha256_for_short_and_long_keys(key):
    """Keys longer than SHA-256's 64-byte block are hashed first (RFC 2104)."""
    one = cpr.pseudonym_function(key)
    for digits in ("0101701234", "3112999999", "6101701234"):
        assert one(digits) == _hmac_pseudonym(key, digits)
    s = pl.Series(["0101701234", None, "0101701234", "3112999999"])
    out = cpr.pseudonymise(s, key)
    assert out.dtype == pl.String
    assert out.to_list() == [_hmac_pseudonym(key, "0101701234"), None, _hmac_pseudonym(key, "0101701234"), _hmac_pseudonym(key, "3112999999")]


def test_key_fingerprint_is_hmac_of_the_fixed_text_and_tells_keys_apart():
    key = b"test-key-0123456789abcdef"
    assert cpr.key_fingerprint(key) == hmac.new(key, b"tariffkit key fingerprint v1", hashlib.sha256).hexdigest()[:16]
    assert len(cpr.key_fingerprint(key)) == 16
    assert cpr.key_fingerprint(key) != cpr.key_fingerprint(key + b"!")


@pytest.mark.parametrize(
    ("text", "digits", "status"),
    [
        ("010170-1234", "0101701234", cpr.CPR_OK),
        ("0101701234", "0101701234", cpr.CPR_OK),
        (" 010170 - 1234 ", "0101701234", cpr.CPR_OK),
        ("290200-1234", "2902001234", cpr.CPR_OK),  # 29 February: the century is not known
        ("300200-1234", None, cpr.CPR_BAD_DATE),
        ("310470-1234", None, cpr.CPR_BAD_DATE),  # April has 30 days
        ("300470-1234", "3004701234", cpr.CPR_OK),
        ("610170-1234", "6101701234", cpr.CPR_OK),  # replacement number: day + 60
        ("910170-1234", "9101701234", cpr.CPR_OK),  # 31 + 60
        ("920170-1234", None, cpr.CPR_BAD_DATE),
        ("600170-1234", None, cpr.CPR_BAD_DATE),  # day 0 + 60
        ("000170-1234", None, cpr.CPR_BAD_DATE),
        ("011370-1234", None, cpr.CPR_BAD_DATE),  # month 13
        ("010070-1234", None, cpr.CPR_BAD_DATE),
        ("999999-1234", None, cpr.CPR_BAD_DATE),
        ("010170-123", None, cpr.CPR_NOT_SHAPED),  # 9 digits
        ("010170-12345", None, cpr.CPR_NOT_SHAPED),  # 11 digits
        ("01017O-1234", None, cpr.CPR_NOT_SHAPED),  # a letter O
        ("０１０１７０１２３４", None, cpr.CPR_NOT_SHAPED),  # full-width digits are not ASCII
        ("", None, cpr.CPR_EMPTY),
        ("  - ", None, cpr.CPR_EMPTY),
        (None, None, cpr.CPR_EMPTY),
    ],
)
def test_cpr_status_and_its_polars_twin_agree(text, digits, status):
    assert cpr.cpr_status(text) == (digits, status)
    assert cpr.normalise(text) == digits
    got = pl.select(cpr.normalise_expr(pl.lit(text, dtype=pl.String))).item()
    assert got == digits


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("010170-1234", "010170-****"),
        ("010170 1234", "010170-****"),
        ("0101701234", "010170-****"),
        ("01 01 70-1234", "010170-****"),
        ("abc", "****"),
        ("01017", "****"),
    ],
)
def test_mask_expr_keeps_the_date_part_only(text, masked):
    assert pl.select(cpr.mask_expr(pl.lit(text))).item() == masked


def test_mask_text_for_messages_keeps_two_digits():
    assert cpr.mask_text("row 3: 010170-1234 and 0202701234") == "row 3: 01****-**** and 02****-****"
    assert cpr.mask_text("case 12345678901") == "case 12345678901"  # 11 digits: not CPR-shaped


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("ring 010170-1234 nu", "ring ******-**** nu"),
        ("010170 1234", "******-****"),
        ("0101701234,0202701234", "******-****,******-****"),  # two in a row (the twice-applied pattern)
        ("0101701234 0202701234", "******-**** ******-****"),
        ("sag 12345678901", "sag 12345678901"),  # inside a longer number: left alone
        ("sag 123456", "sag 123456"),
        ("", ""),
    ],
)
def test_scrub_text_and_scrub_expr_agree(text, scrubbed):
    assert cpr.scrub_text(text) == scrubbed
    assert pl.select(cpr.scrub_expr(pl.lit(text))).item() == scrubbed


def test_scrub_frame_scrubs_every_text_column_but_the_kept():
    df = pl.DataFrame({"cpr": ["0101701234"], "note": ["0101701234"], "amount": [1]})
    out = cpr.scrub_frame(df, keep={"cpr"})
    assert out.to_dicts() == [{"cpr": "0101701234", "note": "******-****", "amount": 1}]
    assert cpr.scrub_frame(df).row(0)[0] == "******-****"
    numbers = pl.DataFrame({"amount": [1]})
    assert cpr.scrub_frame(numbers) is numbers
