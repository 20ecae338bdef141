"""The overlap check (issue 24 part 5) against a slow, obviously correct oracle: every minute of
the week as a set, every pair of lines compared."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffkit.schedules import WEEK, overlaps, parse_lines

FREQUENCIES = [
    "Alle ugens 7 dage",
    "Hverdage",
    "Weekend",
    "Fredag",
    "Søndag",
    "Mandag",
    "mandag og torsdag",
    "2 x dagligt",
    "2 gange ugentligt",
    "1 gang om ugen",
    "Månedligt",
    "hver anden uge",
]
STAFFING = ["1:1", "2:1", "1:3", "1:Flere"]


def oracle(good: pl.DataFrame) -> set[tuple[str, str]]:
    """Each line's minutes of the week (a set, wrapping at Sunday midnight); a pair overlaps when
    one of them is individual and: both have fixed days and share a minute, or one has no fixed
    days and the other runs every day and they share a minute on some day."""
    found = set()
    rows = good.filter(pl.col("start").is_not_null() & (pl.col("minutes") > 0)).to_dicts()
    by: dict = {}
    for r in rows:
        by.setdefault((r["citizen_id"], r["offer_id"]), []).append(r)

    def minutes(r, days):
        s = r["start"].hour * 60 + r["start"].minute
        return {(d * 1440 + s + t) % WEEK for d in days for t in range(r["minutes"])}

    for key, ls in by.items():
        for i, a in enumerate(ls):
            for b in ls[i + 1 :]:
                if not (a["share"] == 1 or b["share"] == 1):
                    continue
                da = None if a["day_mask"] is None else [d for d in range(7) if a["day_mask"] >> d & 1]
                db = None if b["day_mask"] is None else [d for d in range(7) if b["day_mask"] >> d & 1]
                if da is not None and db is not None:
                    hit = bool(minutes(a, da) & minutes(b, db))
                elif da is None and db is None:
                    hit = False
                else:
                    floating, daily, days = (a, b, db) if da is None else (b, a, da)
                    hit = len(days) == 7 and any(minutes(floating, [d]) & minutes(daily, days) for d in range(7))
                if hit:
                    found.add(key)
    return found


line = st.tuples(
    st.sampled_from(FREQUENCIES), st.sampled_from(STAFFING), st.integers(0, 95).map(lambda q: q * 15), st.integers(1, 720), st.sampled_from(["c1", "c2", "c3"])
)


@settings(max_examples=150, deadline=None)
@given(st.lists(line, min_size=1, max_size=12))
def test_overlaps_equal_the_minute_by_minute_oracle(rows):
    df = pl.DataFrame(
        [
            {
                "_file": "s.csv",
                "_row": i + 2,
                "citizen_id": c,
                "offer_id": "T1",
                "paragraph": "§ 85",
                "start_time": f"{s // 60:02d}:{s % 60:02d}",
                "minutes": str(m),
                "frequency": f,
                "staffing": stf,
            }
            for i, (f, stf, s, m, c) in enumerate(rows)
        ]
    )
    good, problems = parse_lines(df)
    assert problems.height == 0
    fast = {tuple(r) for r in overlaps(good).collect().select("citizen_id", "offer_id").iter_rows()}
    assert fast == oracle(good)


def test_sample_overlaps_equal_the_oracle():
    from conftest import SAMPLE

    from tariffkit import io as tio
    from tariffkit.keys import load_key
    from tariffkit.schedules import read_schedules

    good, _ = parse_lines(read_schedules(str(SAMPLE / "doegnskemaer.csv"), tio.Inputs(), load_key(str(SAMPLE / "demo.key"))))
    fast = {tuple(r) for r in overlaps(good).collect().select("citizen_id", "offer_id").iter_rows()}
    assert fast == oracle(good) and len(fast) >= 6


def test_lines_without_day_masks_meet_as_their_day_classes_say():
    """Lines from before day masks (only ``days``: all, weekdays, weekend) find the same
    overlapping citizens as the same lines with their masks."""
    from conftest import SAMPLE

    from tariffkit import io as tio
    from tariffkit.keys import load_key
    from tariffkit.schedules import read_schedules

    good, _ = parse_lines(read_schedules(str(SAMPLE / "doegnskemaer.csv"), tio.Inputs(), load_key(str(SAMPLE / "demo.key"))))
    classed = good.filter(pl.col("days").is_in(["all", "weekdays", "weekend"]))
    assert set(classed["days"]) == {"all", "weekdays", "weekend"}
    with_masks = {tuple(r) for r in overlaps(classed).collect().select("citizen_id", "offer_id").iter_rows()}
    without = {tuple(r) for r in overlaps(classed.drop("day_mask")).collect().select("citizen_id", "offer_id").iter_rows()}
    assert without == with_masks and len(with_masks) >= 3
