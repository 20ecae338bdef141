"""The monthly economy check as one self-contained HTML file: inline CSS and SVG, no scripts,
no fonts or images from elsewhere, Danish labels, prints cleanly to PDF (A4 landscape)."""

from __future__ import annotations

import datetime as dt
from html import escape

import polars as pl

from tariffkit.danish import format_kr
from tariffkit.report import MonthlyReport

AREA_LABELS = {
    "paragraph": "Paragraf",
    "offer_id": "Tilbud",
    "function": "Funktion",
    "level": "Funktionsniveau",
    "provider": "Leverandør",
    "caseworker": "Sagsbehandler",
}

CSS = """
:root { --ink:#1b1b1b; --muted:#5c5c5c; --line:#d7d7d7; --accent:#1f5f8b; --bad:#a4262c; --good:#2f7d4a; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--ink); margin: 24px auto; max-width: 1100px; padding: 0 16px; font-size: 13px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; color: var(--accent); }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 2px solid var(--accent); padding-bottom: 3px; }
p.lead { color: var(--muted); margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { padding: 4px 5px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { text-align: left; font-weight: 600; background: #f2f5f8; font-size: 12px; }
table.key { font-size: 11.5px; } table.key th { vertical-align: bottom; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
.over { color: var(--bad); } .under { color: var(--good); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px 20px; }
figure { margin: 0; break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 11px; }
.note { color: var(--muted); font-size: 11px; }
footer { margin-top: 32px; border-top: 1px solid var(--line); padding-top: 8px; color: var(--muted); font-size: 11px; }
footer code { font-size: 10px; word-break: break-all; }
@media (max-width: 800px) { .charts { grid-template-columns: 1fr; } }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; max-width: none; font-size: 10px; }
  h2 { break-after: avoid; }
  table, figure, section { break-inside: avoid; }
}
"""


def _d(d: dt.date | None) -> str:
    return "" if d is None else d.strftime("%d.%m.%Y")


def _kr(v, decimals: int = 0) -> str:
    return "–" if v is None else format_kr(v, decimals)


def _signed(v, decimals: int = 0) -> str:
    if v is None:
        return "–"
    s = format_kr(v, decimals)
    return s if float(v) < 0 else ("+" + s if float(v) > 0 else s)


def _cls(v) -> str:
    """Overspending (positive deviation) red, underspending green."""
    if v is None or float(v) == 0:
        return "n"
    return "n over" if float(v) > 0 else "n under"


def _table(headers: list[tuple[str, bool]], rows: list[list[tuple[str, str]]], total_last: bool = False, cls: str = "") -> str:
    head = "".join(f'<th class="n">{escape(h)}</th>' if num else f"<th>{escape(h)}</th>" for h, num in headers)
    body = []
    for i, row in enumerate(rows):
        cls = ' class="total"' if total_last and i == len(rows) - 1 else ""
        body.append(f"<tr{cls}>" + "".join(f'<td class="{c}">{escape(v)}</td>' for v, c in row) + "</tr>")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _key_table(r: MonthlyReport) -> str:
    headers = [
        (AREA_LABELS.get(r.area, r.area), False),
        ("Borgere", True),
        ("HÅP år til dato", True),
        ("HÅP prognose", True),
        ("Gns. pris", True),
        ("Forbrug år til dato", True),
        ("Budget", True),
        ("Prognose", True),
        ("Afvigelse", True),
        ("heraf mængde", True),
        ("heraf pris", True),
        ("Prognose, ændring siden sidste måned", True),
        ("HÅP, ændring", True),
    ]
    rows = []
    for x in r.key_figures.iter_rows(named=True):
        rows.append(
            [
                (x["area"], ""),
                (_kr(x["citizens"]), "n"),
                (_kr(x["haap_ytd"], 2), "n"),
                (_kr(x["haap_forecast"], 2), "n"),
                (_kr(x["average_price"]), "n"),
                (_kr(x["expense_ytd"]), "n"),
                (_kr(x["budget"]), "n"),
                (_kr(x["forecast"]), "n"),
                (_signed(x["deviation"]), _cls(x["deviation"])),
                (_signed(x["volume_effect"]), _cls(x["volume_effect"])),
                (_signed(x["price_effect"]), _cls(x["price_effect"])),
                (_signed(x["forecast_change"]), _cls(x["forecast_change"])),
                (_signed(x["haap_change"], 2), "n"),
            ]
        )
    return _table(headers, rows, total_last=True, cls="key")


def _charts(r: MonthlyReport) -> list[tuple[str, str]]:
    from tariffkit import charts

    m = r.monthly
    areas = sorted(set(m["area"].to_list()))

    def series(col: str, scale: float = 1.0) -> dict:
        out = {}
        for a in areas:
            s = m.filter(pl.col("area") == a).sort("month")
            out[a] = (s["month"].to_list(), [None if v is None else float(v) / scale for v in s[col].to_list()], s["actual"].to_list())
        return out

    total = m.group_by("month").agg(pl.col("inflow").sum(), pl.col("outflow").sum(), pl.col("actual").first()).sort("month").filter("actual")
    out = [
        ("HÅP pr. måned", charts.month_lines(series("haap"), "HÅP pr. måned", "Helårspersoner (månedens niveau)", decimals=0)),
        (
            "Gennemsnitspris pr. måned",
            charts.month_lines(series("average_price_annual", 1000.0), "Gennemsnitspris pr. måned (årlig takt)", "1.000 kr. pr. HÅP", decimals=0),
        ),
    ]
    k = r.key_figures.filter(pl.col("area") != "I alt")
    if r.has_budget:
        out.append(
            (
                "Budget og prognose pr. område",
                charts.grouped_bars(
                    k["area"].to_list(),
                    {
                        "Budget": [None if v is None else float(v) / 1e6 for v in k["budget"].to_list()],
                        "Prognose": [float(v) / 1e6 for v in k["forecast"].to_list()],
                    },
                    "Budget og prognose pr. område",
                    "Mio. kr.",
                    decimals=1,
                ),
            )
        )
    else:
        out.append(
            (
                "Forbrug og prognose pr. område",
                charts.grouped_bars(
                    k["area"].to_list(),
                    {
                        "Forbrug år til dato": [float(v) / 1e6 for v in k["expense_ytd"].to_list()],
                        "Prognose": [float(v) / 1e6 for v in k["forecast"].to_list()],
                    },
                    "Forbrug og prognose pr. område",
                    "Mio. kr.",
                    decimals=1,
                ),
            )
        )
    out.append(
        (
            "Tilgang og afgang pr. måned",
            charts.flows(total["month"].to_list(), total["inflow"].to_list(), total["outflow"].to_list(), "Tilgang og afgang pr. måned (hele kommunen)"),
        )
    )
    return out


def render(r: MonthlyReport, *, inputs: list[tuple[str, str]], version: str, title: str | None = None) -> str:
    """The report as HTML text. ``inputs``: (file label, sha256) of every input, for the audit
    footer. No clock time goes in, so the same inputs give the same bytes."""
    title = title or f"Månedlig økonomiopfølgning {r.year}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="da"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="lead">Specialiserede voksentilbud (botilbud). Opgjort pr. {_d(r.as_of)}: forbrug til og med {_d(r.as_of)} '
        f"plus disponerede beløb resten af året. Beløb i kr.</p>",
        _snapshot_line(r),
        "</header>",
        "<section><h2>Nøgletal</h2>",
        _key_table(r),
        '<p class="note">Afvigelse = prognose − budget (positiv = merforbrug, rød). Mængdeeffekt = (HÅP prognose − budget-HÅP) × budgetpris; '
        "priseffekt = afvigelse − mængdeeffekt, så de to summer præcist til afvigelsen. Gns. pris = prognose / HÅP.</p>",
    ]
    if not r.has_budget:
        parts.append('<p class="note">Intet budget angivet (<code>--budget</code>): budget og afvigelse vises ikke.</p>')
    if r.previous_year is not None:
        parts.append(
            f'<p class="note">Sidste måneds nøgletal gælder {r.previous_year}; et nyt år sammenlignes ikke med det forrige, så ændringen siden sidste måned vises fra næste måned.</p>'
        )
    elif not r.has_previous:
        parts.append('<p class="note">Ingen nøgletal fra sidste måned (<code>--previous</code>): ændringen siden sidste måned vises ikke.</p>')
    parts.append('</section><section><h2>Udvikling</h2><div class="charts">')
    for caption, svg in _charts(r):
        parts.append(
            f"<figure>{svg}<figcaption>{escape(caption)}. Fuldt optrukket: faktisk forbrug; stiplet: disponeret.</figcaption></figure>"
            if "måned" in caption and "Tilgang" not in caption
            else f"<figure>{svg}<figcaption>{escape(caption)}.</figcaption></figure>"
        )
    parts.append("</div></section>")

    parts.append("<section><h2>Tilbud på vej mod underskud</h2>")
    if r.deficits is None:
        parts.append('<p class="note">Intet tilbudsbudget angivet (<code>--offer-budget</code>, fra <code>budget-forecast offer</code>).</p>')
    elif r.deficits.height == 0:
        parts.append("<p>Ingen tilbud forventer underskud i år.</p>")
    else:
        rows = [
            [
                (_offer(r, x["offer_id"]), ""),
                (_kr(x["haap_total"], 2), "n"),
                (_kr(x["occupancy_pct"], 1), "n"),
                (_kr(x["tariff_basis"]), "n"),
                (_kr(x["income"]), "n"),
                (_signed(x["expected_result"]), _cls(-x["expected_result"])),
            ]
            for x in r.deficits.iter_rows(named=True)
        ]
        parts.append(
            _table(
                [
                    ("Tilbud", False),
                    ("HÅP prognose", True),
                    ("Belægning %", True),
                    ("Takstgrundlag", True),
                    ("Forventede indtægter", True),
                    ("Forventet resultat", True),
                ],
                rows,
            )
        )
    parts.append("</section>")

    parts.append(
        f'<section><h2>Sager med største ændring i udgift</h2><p class="lead">{escape(_month_name(r.as_of))} mod måneden før, omregnet til årlig udgift. '
        "Borgere vises med pseudonym, aldrig CPR-nummer.</p>"
    )
    if r.cost_changes.height == 0:
        parts.append("<p>Ingen sager ændrede udgift.</p>")
    else:
        rows = [
            [
                (x["citizen_id"], ""),
                (x["case_id"], ""),
                (_offer(r, x["offer_id"]), ""),
                (x["caseworker"] or "", ""),
                (_kr(x["cost_before"]), "n"),
                (_kr(x["cost_this"]), "n"),
                (_signed(x["annual_change"]), _cls(x["annual_change"])),
            ]
            for x in r.cost_changes.iter_rows(named=True)
        ]
        parts.append(
            _table(
                [
                    ("Borger (pseudonym)", False),
                    ("Sag", False),
                    ("Tilbud", False),
                    ("Sagsbehandler", False),
                    ("Måneden før", True),
                    ("Denne måned", True),
                    ("Ændring pr. år", True),
                ],
                rows,
            )
        )
    parts.append("</section>")

    first, last = r.data_period
    files = "".join(f"<li>{escape(label)}: <code>sha256 {escape(digest)}</code></li>" for label, digest in inputs)
    parts.append(
        f"<footer><p>Dataperiode: ydelser {_d(first)}–{_d(last)}. Opgjort pr. {_d(r.as_of)}. Lavet med tariffkit {escape(version)}. "
        "Beløb er summeret i øre og afrundet til hele kroner i visningen.</p>"
        f"<p>Inputfiler:</p><ul>{files}</ul></footer></body></html>"
    )
    return "\n".join(parts) + "\n"


def _offer(r: MonthlyReport, offer_id: str) -> str:
    """``T102 Botilbuddet Lærkehøj``: the id with the offer's name beside it."""
    name = (r.offer_names or {}).get(offer_id)
    return f"{offer_id} {name}" if name else offer_id


def _snapshot_line(r: MonthlyReport) -> str:
    """Which DSS extract the figures rest on (and whether its commitments are stale)."""
    s = r.snapshot
    if s is None or s.horizon is None:
        return ""
    text = f"Tallene bygger på DSS-udtræk af {_d(s.horizon)}"
    if s.commitments_from is None:
        text += " (ingen dispositioner)"
    elif s.stale:
        text += f"; dispositionerne er fra udtrækket af {_d(s.commitments_from)}, da det nyeste udtræk ikke havde nogen"
    if s.known_at is not None:
        text += f" (historikken som den så ud {_d(s.known_at)})"
    out = f'<p class="lead extract">{escape(text)}.</p>'
    year_end = dt.date(r.year, 12, 31)
    if r.as_of < year_end and (r.commitments_until is None or r.commitments_until < year_end):
        last = "ingen dispositioner" if r.commitments_until is None else f"dispositionerne rækker kun til {_d(r.commitments_until)}"
        out += f'<p class="note warn">Bemærk: {last}; resten af året indgår ikke i prognosen, som derfor er for lav, hvis borgerne fortsætter.</p>'
    return out


def _month_name(d: dt.date) -> str:
    names = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"]
    return f"{names[d.month - 1].capitalize()} {d.year}"
