"""Legal paragraph notation (*paragraf*): the one parser every command uses (DSS extracts,
24-hour schedules, placements, offers).

What it reads (case and blanks do not matter):

* a law, before or after the paragraph: ``SEL``/``SL``/``Serviceloven``/``Servicelovens``/
  ``Lov om social service`` (→ ``SEL``), ``ABL``/``Almenboligloven`` (→ ``ABL``),
  ``SUL``/``Sundhedsloven`` (→ ``SUL``), ``LAB``, ``BEK``; no law named means the Social
  Services Act (``SEL``), the law of this field;
* the paragraph: ``§ 85``, ``§85``, ``§§ 85``, ``85``, with a letter (``§ 83 a``, ``83a`` →
  ``83a``);
* detail after it, dropped from the key: ``stk. 1``, ``stk 1``, ``nr. 2``, ``litra a``,
  ``1. pkt.``, separated by a comma or not;
* combined forms: ``83/85``, ``§§ 83 og 85``, ``ABL 105 / SEL 85``, ``SEL § 83 + § 85``. The
  **first** paragraph is the line's paragraph (the first named law's); the others are kept in
  ``also`` (a law carries over to the next paragraph when the next does not name one).

Anything else is not guessed: :func:`parse` returns None, and the caller reports the row and
column. The normalised form is ``LAW NUMBER`` (``SEL 85``, ``ABL 105``, ``SEL 83a``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

LAWS = {
    "sel": "SEL",
    "sl": "SEL",
    "serviceloven": "SEL",
    "servicelovens": "SEL",
    "lov om social service": "SEL",
    "abl": "ABL",
    "almenboligloven": "ABL",
    "almenboliglovens": "ABL",
    "lov om almene boliger": "ABL",
    "sul": "SUL",
    "sundhedsloven": "SUL",
    "sundhedslovens": "SUL",
    "lab": "LAB",
    "bek": "BEK",
}
_LAW = "|".join(sorted((re.escape(k) for k in LAWS), key=len, reverse=True))
_DETAIL = r"(?:\s*,?\s*(?:stk\.?|nr\.?|litra|pkt\.?)\s*[0-9a-zæøå]+\.?(?:\s*pkt\.?)?)*"
_ONE = re.compile(
    rf"^\s*(?:(?P<law>{_LAW})\b\.?\s*)?(?:§§?\s*)?(?P<num>\d{{1,3}})\s*(?P<letter>[a-h])?(?![0-9a-zæøå])"
    rf"(?P<detail>{_DETAIL})\s*(?:(?:i\s+)?(?P<law_after>{_LAW})\b\.?)?\s*$",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:/|\+|\bog\b|&)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Paragraph:
    law: str
    number: str  # digits and an optional letter: "85", "83a"
    also: tuple[str, ...] = ()  # the other paragraphs of a combined notation, normalised

    @property
    def key(self) -> str:
        return f"{self.law} {self.number}"


def parse(text: str | None) -> Paragraph | None:
    """``SEL § 85 stk. 1`` → Paragraph("SEL", "85"); ``ABL 105 / SEL 85`` → ABL 105, also SEL 85;
    unreadable → None (never a guess)."""
    if text is None:
        return None
    t = " ".join(str(text).replace("\u00a0", " ").split())
    if not t:
        return None
    parts = [p for p in _SPLIT.split(t)]
    if any(not p for p in parts):
        return None
    out: list[tuple[str, str]] = []
    law_before: str | None = None
    for p in parts:
        m = _ONE.match(p)
        if not m:
            return None
        named = m.group("law") or m.group("law_after")
        law = LAWS[named.lower()] if named else (law_before or "SEL")
        law_before = law
        out.append((law, m.group("num").lstrip("0") + (m.group("letter") or "").lower()))
    (law, number), rest = out[0], out[1:]
    return Paragraph(law, number, tuple(f"{lw} {nb}" for lw, nb in rest))


def normalise_series(values: pl.Series) -> pl.Series:
    """A Series of notations → a struct Series {paragraph, paragraph_also} (null when unreadable),
    one Python call per distinct value."""
    uniq = values.unique().drop_nulls()
    parsed = [parse(v) for v in uniq.to_list()]
    keys = pl.Series([None if p is None else p.key for p in parsed], dtype=pl.String)
    also = pl.Series([None if p is None or not p.also else ", ".join(p.also) for p in parsed], dtype=pl.String)
    return pl.DataFrame(
        {
            "paragraph": values.replace_strict(uniq, keys, default=None, return_dtype=pl.String),
            "paragraph_also": values.replace_strict(uniq, also, default=None, return_dtype=pl.String),
        }
    ).to_struct(values.name)
