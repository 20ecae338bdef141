"""Service levels across offers and the minimum weekly hours (issue 24 part 5)."""

import polars as pl
import pytest

from tariffkit.schedules import parse_lines, reassign
from tariffkit.service_levels import service_levels
from tariffkit.tariffs import parse_structure

BANDS = [{"level": 1, "min_hours": 0, "max_hours": 9}, {"level": 2, "min_hours": 9, "max_hours": 20}]


def schedule(rows):
    """rows: (citizen, offer, description, minutes, frequency, category)"""
    df = pl.DataFrame(
        [
            {
                "_file": "s.csv",
                "_row": i + 2,
                "citizen_id": c,
                "offer_id": o,
                "description": d,
                "paragraph": "§ 85",
                "minutes": str(m),
                "frequency": f,
                "staffing": "1:1",
                "category": cat,
            }
            for i, (c, o, d, m, f, cat) in enumerate(rows)
        ]
    )
    good, problems = parse_lines(df)
    assert problems.height == 0
    return good


STRUCTURE = parse_structure({"levels": BANDS, "activity_categories": {"indkøb": ["indkøb"], "ledsagelse": ["ledsag"]}, "service_level_band": 0.5})


def offers(shopping: dict[str, list[int]]):
    """Each offer's citizens with their weekly shopping minutes (one line a week), plus one
    accompaniment line each so every citizen has a schedule."""
    rows = []
    for o, mins in shopping.items():
        for i, m in enumerate(mins):
            c = f"{o}-{i}"
            rows.append((c, o, "Ledsagelse til læge", 30, "1 gang om ugen", None))
            if m:
                rows.append((c, o, "Støtte til indkøb", m, "1 gang om ugen", None))
    return schedule(rows)


def test_minutes_per_citizen_against_the_median_and_the_band_at_equality():
    # per citizen: A 60/2 = 30, B 45, C 30, D 15 (30 / 2: a citizen without shopping counts 0), E 46
    sl = service_levels(offers({"A": [60, 0], "B": [45], "C": [30], "D": [30, 0], "E": [46]}), STRUCTURE)
    s = {r["offer_id"]: r for r in sl.filter(pl.col("category") == "indkøb").iter_rows(named=True)}
    assert {o: r["minutes_per_citizen"] for o, r in s.items()} == {"A": 30, "B": 45, "C": 30, "D": 15, "E": 46}
    assert {r["median_minutes_per_citizen"] for r in s.values()} == {30}
    # band 0.5: 45 is exactly 1.5 × the median (not flagged), 46 is beyond; 15 is exactly 0.5 × (not flagged)
    assert {o for o, r in s.items() if r["far_from_median"]} == {"E"}
    assert s["D"]["citizens"] == 2 and s["D"]["citizens_with_activity"] == 1


def test_two_offers_make_no_norm():
    sl = service_levels(offers({"A": [10], "B": [100]}), STRUCTURE)
    assert not sl["far_from_median"].any()


def test_the_schedules_category_column_wins_over_the_keywords():
    lines = schedule([("c1", "A", "Støtte til indkøb", 60, "1 gang om ugen", "tøjvask"), ("c2", "A", "Noget andet", 10, "1 gang om ugen", "")])
    sl = service_levels(lines, STRUCTURE)
    assert set(sl["category"]) == {"tøjvask", "øvrige"}


def test_the_assessed_minutes_count():
    lines = schedule([("c1", "A", "Støtte til indkøb", 60, "1 gang om ugen", None)]).with_columns(assessed_minutes=pl.lit(20, pl.Int32))
    assert service_levels(lines, STRUCTURE)["minutes_per_week"].to_list() == [20]


def placed(*offers):
    return pl.DataFrame(
        {
            "citizen_id": [f"{o}-0" for o in offers],
            "offer_id": list(offers),
            "level": [1] * len(offers),
            "origin": ["own"] * len(offers),
            "municipality": [None] * len(offers),
        },
        schema={"citizen_id": pl.String, "offer_id": pl.String, "level": pl.Int16, "origin": pl.String, "municipality": pl.String},
    )


@pytest.mark.parametrize(
    "minimum, flagged",
    [
        (9, {"A", "B"}),  # A: 8.5 hours, B: 8.5 + … below 9
        ({"default": 9, "A": 8.5}, {"B"}),  # A's own minimum 8.5 is met at equality
        ({"B": 8}, set()),  # only B has a minimum, and meets it
    ],
)
def test_minimum_weekly_hours_flag(minimum, flagged):
    s = parse_structure({"levels": BANDS, "minimum_hours": minimum})
    lines = schedule([("A-0", "A", "Ledsagelse", 510, "1 gang om ugen", None), ("B-0", "B", "Ledsagelse", 510, "1 gang om ugen", None)])
    r = reassign(lines, placed("A", "B"), None, s)
    assert {o for o, f in zip(r["offer_id"], r["flags"]) if "below_minimum" in f} == flagged


def test_bad_structure_settings_are_named():
    from tariffkit.errors import DataError

    with pytest.raises(DataError, match="activity_categories.x must be a list"):
        parse_structure({"levels": BANDS, "activity_categories": {"x": 3}})
    with pytest.raises(DataError, match="minimum_hours"):
        parse_structure({"levels": BANDS, "minimum_hours": "nine"})


def test_structure_settings_at_their_edges():
    """One keyword may be written without a list; an offer's own minimum of 0 hours (no minimum
    for it) is allowed beside a default; the structure's errors name the setting."""
    from tariffkit.errors import DataError

    s = parse_structure({"levels": BANDS, "activity_categories": {"ledsagelse": " Ledsag "}, "minimum_hours": {"default": 9, "A": 0, "B": 0.5}})
    assert s.activity_categories == {"ledsagelse": ("ledsag",)}
    assert (s.minimum_hours, s.minimum_hours_per_offer) == (9.0, {"A": 0.0, "B": 0.5})
    with pytest.raises(DataError) as e:
        parse_structure({"levels": BANDS, "minimum_hours": {"A": -0.5}}, file="l.toml")
    assert (e.value.file, e.value.column, e.value.message) == ("l.toml", "minimum_hours.A", "minimum_hours.A must be between 0 and 168, found -0.5")
    low = [dict(b) for b in BANDS]
    low[0]["min_hours"] = -1
    with pytest.raises(DataError) as e:
        parse_structure({"levels": low}, file="l.toml")
    assert (e.value.file, e.value.column) == ("l.toml", "levels[1].min_hours") and "found -1" in e.value.message
    with pytest.raises(DataError) as e:
        parse_structure({"levels": BANDS, "top_level_rule": "cap"}, file="l.toml")
    assert (e.value.file, e.value.column) == ("l.toml", "top_level_rule")
    assert e.value.message.startswith("top_level_rule must be one of supplement") and e.value.message.endswith("found 'cap'")
