"""The 24-hour schedule's notation as offers and BDO write it (*døgnskema*, BDO's Bilag 2):
frequency, staffing and paragraph. One home for these rules; each parser takes one text and
returns its reading, or None when it cannot read it (the caller names the row and column).

Frequency (times a week, and the days when they are fixed):

* ``Alle ugens 7 dage``, ``dagligt``, ``hver dag`` → 7 a week, every day;
* ``Hverdage``, ``man-fre``, ``mandag til fredag`` → 5, Monday–Friday;
* ``Weekend``, ``lørdag og søndag`` → 2, Saturday and Sunday;
* weekday names, singly or as lists (``Fredag``, ``mandag og torsdag``, ``man, ons, fre``) →
  one a week on each named day;
* ``2 x dagligt``, ``2 gange dagligt``, ``2 gange om dagen`` → 14 a week, every day;
* ``2 gange ugentligt``, ``2 x om ugen``, ``2 gange pr. uge`` → 2 a week, days not fixed;
* ``2 gange månedligt``, ``2 gange om måneden``, ``månedligt`` → n × 12 / 52 a week;
* ``hver anden uge``, ``hver 14. dag`` → 0.5 a week; a bare number → that many a week.

Staffing: ``1:1``, ``2:1`` (two staff for one citizen), ``1:3`` (one staff shared by three), and
BDO's ``1:Flere`` / ``4:flere``: *several* citizens without a number, read as the structure's
``shared_citizens`` (default 3; a documented assumption, to be set per structure).

Paragraph: the law's paragraph as :mod:`tariffkit.paragraphs` reads it (``85``, ``83/85``,
``SEL § 85``), and a law alone (``SUL``: help under the Health Act, financed elsewhere).
"""

from __future__ import annotations

import re

WEEKDAYS = {
    "mandag": 0,
    "man": 0,
    "tirsdag": 1,
    "tir": 1,
    "tirs": 1,
    "onsdag": 2,
    "ons": 2,
    "torsdag": 3,
    "tor": 3,
    "tors": 3,
    "fredag": 4,
    "fre": 4,
    "lørdag": 5,
    "lør": 5,
    "søndag": 6,
    "søn": 6,
}
ALL, WEEKDAYS_MASK, WEEKEND = frozenset(range(7)), frozenset(range(5)), frozenset({5, 6})
DEFAULT_SHARED = 3

_EVERY_DAY = {"alle ugens 7 dage", "alle ugens syv dage", "dagligt", "daily", "hver dag", "alle dage", "7 dage om ugen"}
_WEEKDAYS = {"hverdage", "alle hverdage", "weekdays", "man-fre", "mandag-fredag", "mandag til fredag"}
_WEEKEND = {"weekend", "weekender", "weekends", "lørdag og søndag", "lør-søn", "lørdag-søndag"}
_N = r"(\d+(?:[.,]\d+)?)"
_TIMES = r"(?:x|gang|gange)"


def frequency(text: str | None) -> tuple[float, frozenset[int] | None] | None:
    """(times a week, the fixed weekdays 0 = Monday … 6 = Sunday, or None when not fixed)."""
    if text is None:
        return None
    t = " ".join(str(text).strip().lower().split())
    if not t:
        return None
    if t in _EVERY_DAY:
        return 7.0, ALL
    if t in _WEEKDAYS:
        return 5.0, WEEKDAYS_MASK
    if t in _WEEKEND:
        return 2.0, WEEKEND
    if t in ("månedligt", "monthly", "en gang om måneden", "hver måned", "1 gang om måneden"):
        return 12.0 / 52.0, None
    if t in ("hver anden uge", "hver 14. dag", "hver 14 dag", "every other week"):
        return 0.5, None
    m = re.fullmatch(rf"{_N}\s*{_TIMES}\s*(?:dagligt|om dagen|pr\.? dag|i døgnet)", t)
    if m:
        return 7.0 * _num(m.group(1)), ALL
    m = re.fullmatch(rf"{_N}\s*{_TIMES}\s*(?:ugentligt|om ugen|pr\.? uge|per uge|i ugen|a ugen)", t)
    if m:
        return _num(m.group(1)), None
    m = re.fullmatch(rf"{_N}\s*{_TIMES}\s*(?:månedligt|om måneden|pr\.? måned|per måned|i måneden)", t)
    if m:
        return _num(m.group(1)) * 12.0 / 52.0, None
    if re.fullmatch(_N, t):
        return _num(t), None
    days = _weekday_list(t)
    if days:
        return float(len(days)), frozenset(days)
    return None


def _num(s: str) -> float:
    return float(s.replace(",", "."))


def _weekday_list(t: str) -> set[int] | None:
    """``fredag``, ``mandag og torsdag``, ``man, ons, fre``, ``tirsdag/torsdag``, ``man-ons``."""
    parts = re.split(r"\s*(?:,|/|\+|\bog\b|&)\s*", t)
    if not all(parts):  # "mandag og": a list cut short is not guessed at (as with paragraphs)
        return None
    days: set[int] = set()
    for p in parts:
        r = re.fullmatch(r"([a-zæøå]+)\s*-\s*([a-zæøå]+)", p)
        if r and r.group(1) in WEEKDAYS and r.group(2) in WEEKDAYS:
            a, b = WEEKDAYS[r.group(1)], WEEKDAYS[r.group(2)]
            if a > b:
                return None
            days.update(range(a, b + 1))
        elif p.rstrip("e") in WEEKDAYS or p in WEEKDAYS:  # "fredage" reads as "fredag"
            days.add(WEEKDAYS[p] if p in WEEKDAYS else WEEKDAYS[p.rstrip("e")])
        else:
            return None
    return days or None


def day_class(days: frozenset[int] | None) -> str | None:
    """The day classes the overlap check knows: all, weekdays, weekend; None otherwise."""
    if days == ALL:
        return "all"
    if days == WEEKDAYS_MASK:
        return "weekdays"
    if days == WEEKEND:
        return "weekend"
    return None


def staffing(text: str | None, shared_citizens: int = DEFAULT_SHARED) -> tuple[float, float] | None:
    """(staff, citizens sharing them): ``1:1`` → (1, 1); ``1:3`` → (1, 3); ``2:1`` → (2, 1);
    ``1:Flere`` / ``4:flere`` → (1 or 4, ``shared_citizens``)."""
    if text is None:
        return None
    t = "".join(str(text).split()).lower()
    m = re.fullmatch(r"(\d+):(\d+|flere)", t)
    if not m:
        return None
    staff = float(m.group(1))
    share = float(shared_citizens) if m.group(2) == "flere" else float(m.group(2))
    if staff < 1 or share < 1:
        return None
    return staff, share


def paragraph(text: str | None) -> tuple[str, tuple[str, ...]] | None:
    """(the paragraph, the others of a combined notation); a law alone (``SUL``) is the law."""
    from tariffkit.paragraphs import LAWS, parse

    if text is None:
        return None
    t = " ".join(str(text).split())
    law = LAWS.get(t.lower().rstrip("."))
    if law:
        return law, ()
    p = parse(t)
    return None if p is None else (p.key, p.also)


def minutes_per_day(minutes: float, times_per_week: float) -> int:
    """A line's citizen time a day as BDO's "Tid pr. dag" column prints it: minutes × times a
    week / 7, rounded to whole minutes (half up): 60 minutes at weekends → 17."""
    from decimal import ROUND_HALF_UP, Decimal

    return int((Decimal(str(minutes)) * Decimal(str(times_per_week)) / 7).quantize(Decimal(1), rounding=ROUND_HALF_UP))
