"""The 24-hour schedule's notation (BDO's Bilag 2), read form by form: every documented way of
writing a frequency, a staffing and a paragraph, and what is refused rather than guessed."""

from __future__ import annotations

import polars as pl
import pytest

from tariffkit.notation import ALL, WEEKDAYS_MASK, WEEKEND, day_class, frequency, minutes_per_day, paragraph, staffing
from tariffkit.paragraphs import normalise_series

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.mark.parametrize(
    ("text", "times", "days"),
    [
        ("Alle ugens 7 dage", 7, ALL),
        ("  DAGLIGT ", 7, ALL),
        ("hver dag", 7, ALL),
        ("Hverdage", 5, WEEKDAYS_MASK),
        ("man-fre", 5, WEEKDAYS_MASK),
        ("mandag til fredag", 5, WEEKDAYS_MASK),
        ("Weekend", 2, WEEKEND),
        ("lørdag og søndag", 2, WEEKEND),
        ("Fredag", 1, {FRI}),
        ("fredage", 1, {FRI}),  # the plural reads as the day
        ("mandag og torsdag", 2, {MON, THU}),
        ("man, ons, fre", 3, {MON, WED, FRI}),
        ("tirsdag/torsdag", 2, {TUE, THU}),
        ("tirs + tors", 2, {TUE, THU}),
        ("lør & søn", 2, {SAT, SUN}),
        ("man-ons", 3, {MON, TUE, WED}),
        ("man - ons", 3, {MON, TUE, WED}),
        ("tor-søn", 4, {THU, FRI, SAT, SUN}),
        ("man-man", 1, {MON}),  # a range of one day
        ("man-ons, fre", 4, {MON, TUE, WED, FRI}),
        ("man og man", 1, {MON}),  # a day named twice is one day
        ("2 x dagligt", 14, ALL),
        ("2 gange om dagen", 14, ALL),
        ("1,5 gange pr. dag", 10.5, ALL),
        ("3 i døgnet".replace("3 ", "3 x "), 21, ALL),
        ("2 gange ugentligt", 2, None),
        ("2 x om ugen", 2, None),
        ("2 gange pr. uge", 2, None),
        ("2,5 gange per uge", 2.5, None),
        ("2 gange månedligt", 2 * 12 / 52, None),
        ("månedligt", 12 / 52, None),
        ("Monthly", 12 / 52, None),
        ("en gang om måneden", 12 / 52, None),
        ("hver måned", 12 / 52, None),
        ("1 gang om måneden", 12 / 52, None),
        ("hver 14 dag", 0.5, None),
        ("every other week", 0.5, None),
        ("hver anden uge", 0.5, None),
        ("hver 14. dag", 0.5, None),
        ("3", 3, None),
        ("0,5", 0.5, None),
    ],
)
def test_frequency_reads_each_documented_form(text, times, days):
    got = frequency(text)
    assert got is not None
    assert got[0] == pytest.approx(times, abs=1e-12)
    assert got[1] == (None if days is None else frozenset(days))


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "ons-man",
        "fre-tir",
        "man-xyz",
        "xyz-fre",
        "mandag og",
        "en gang i mellem",
        "man, ons, fredagx",
        "x dagligt",
        "2 gange",
        "man--ons",
        "/",
    ],
)
def test_frequency_refuses_what_it_cannot_read(text):
    assert frequency(text) is None


@pytest.mark.parametrize(
    ("days", "cls"),
    [(ALL, "all"), (WEEKDAYS_MASK, "weekdays"), (WEEKEND, "weekend"), (frozenset({MON}), None), (None, None), (frozenset(range(6)), None)],
)
def test_day_class(days, cls):
    assert day_class(days) == cls


@pytest.mark.parametrize(
    ("text", "shared", "expected"),
    [
        ("1:1", 3, (1.0, 1.0)),
        (" 2 : 1 ", 3, (2.0, 1.0)),
        ("1:3", 3, (1.0, 3.0)),
        ("1:Flere", 3, (1.0, 3.0)),
        ("4:flere", 5, (4.0, 5.0)),
        ("1:flere", 1, (1.0, 1.0)),  # at least one: the boundary
        ("0:1", 3, None),  # no staff
        ("1:0", 3, None),
        ("1:flere", 0, None),
        ("1-1", 3, None),
        ("1:1,5", 3, None),
        (None, 3, None),
        ("", 3, None),
    ],
)
def test_staffing(text, shared, expected):
    assert staffing(text, shared) == expected


def test_staffing_default_shares_flere_among_three():
    assert staffing("1:flere") == (1.0, 3.0)


@pytest.mark.parametrize(
    ("minutes", "times", "expected"),
    [
        (60, 2, 17),  # 120 / 7 = 17.14
        (7, 1, 1),
        (3.5, 1, 1),  # 0.5: half up
        (10.5, 1, 2),  # 1.5 → 2 (not to even)
        (17.5, 1, 3),  # 2.5 → 3 (not to even)
        (3.49, 1, 0),
        (30, 7, 30),
        (0, 7, 0),
    ],
)
def test_minutes_per_day_rounds_half_up(minutes, times, expected):
    assert minutes_per_day(minutes, times) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85", ("SEL 85", ())),
        ("SEL § 85 stk. 1", ("SEL 85", ())),
        ("83/85", ("SEL 83", ("SEL 85",))),
        ("ABL 105 / SEL 85", ("ABL 105", ("SEL 85",))),
        ("SUL", ("SUL", ())),
        ("sundhedsloven.", ("SUL", ())),
        ("  Serviceloven  ", ("SEL", ())),
        ("noget andet", None),
        (None, None),
    ],
)
def test_schedule_paragraph(text, expected):
    assert paragraph(text) == expected


def test_normalise_series_reads_each_distinct_value_once_and_keeps_nulls():
    s = pl.Series("p", ["§ 85", None, "83/85", "§ 85", "noget", "ABL 105 / SEL 85 / 83"])
    out = normalise_series(s).struct.unnest()
    assert out["paragraph"].to_list() == ["SEL 85", None, "SEL 83", "SEL 85", None, "ABL 105"]
    assert out["paragraph_also"].to_list() == [None, None, "SEL 85", None, None, "SEL 85, SEL 83"]
    assert out.schema == {"paragraph": pl.String, "paragraph_also": pl.String}
    assert normalise_series(s).name == "p"


def test_normalise_series_is_text_even_when_nothing_is_read_or_combined():
    for values in (["noget", None], ["§ 85"], [None]):
        out = normalise_series(pl.Series("p", values, dtype=pl.String)).struct.unnest()
        assert out.schema == {"paragraph": pl.String, "paragraph_also": pl.String}, values


def test_a_paragraph_written_with_non_breaking_spaces_is_the_same_paragraph():
    """Excel and Word put non-breaking spaces in "SEL § 108": the same paragraph as with spaces."""
    from tariffkit.paragraphs import parse

    assert parse("SEL\u00a0§\u00a0108") == parse("SEL § 108") and parse("SEL § 108") is not None
    assert normalise_series(pl.Series(["Serviceloven\u00a0§\u00a0107", "SEL § 107"])).struct.field("paragraph").n_unique() == 1
