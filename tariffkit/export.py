"""Tables people open: any table as an .xlsx sheet (typed columns, number formats, frozen
header, autofilter), written deterministically (the same table gives the same bytes)."""

from __future__ import annotations

import io

import polars as pl

# Danish headers for the columns people read most; others keep their contract name.
LABELS = {
    "paying_municipality": "Betalingskommune", "acting_municipality": "Handlekommune", "citizen_id": "Borger (pseudonym)",
    "offer_id": "Tilbud", "offer_name": "Tilbudsnavn", "level": "Funktionsniveau", "paid_level": "Betalt niveau",
    "assessed_level": "Vurderet niveau", "current_tariff": "Nuværende takst", "new_tariff": "Ny takst",
    "yearly_difference": "Forskel pr. år", "month": "Måned", "days": "Dage", "daily_tariff": "Døgntakst", "amount": "Beløb",
    "claim_deadline": "Frist for krav", "late": "For sent", "origin": "Oprindelse", "haap": "HÅP", "citizens": "Borgere",
    "period": "Periode", "source": "Kilde", "months_paid": "Måneder betalt", "months_placed": "Måneder placeret", "finding": "Fund",
}
VALUES = {"own": "egen borger", "other": "anden kommune", "payments": "DSS", "placements": "placeringer",
          "paid, not placed": "betalt, ikke placeret", "placed, not paid": "placeret, ikke betalt"}


def table_workbook(df: pl.DataFrame, sheet: str = "Data") -> bytes:
    """``df`` as one sheet: Danish headers (LABELS), Danish values for codes (VALUES), kroner with
    two decimals, HÅP with two, dates as dd-mm-åååå, booleans as ja/nej."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from tariffkit.schedules import _deterministic_zip

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([LABELS.get(c, c) for c in df.columns])
    for c in ws[1]:
        c.font = Font(bold=True)
    money = {c for c, t in df.schema.items() if isinstance(t, pl.Decimal)}
    for row in df.iter_rows():
        ws.append([
            ("ja" if v else "nej") if isinstance(v, bool) else float(v) if c in money and v is not None
            else VALUES.get(v, v) if isinstance(v, str) else v
            for c, v in zip(df.columns, row)
        ])
    for j, (c, t) in enumerate(df.schema.items(), start=1):
        fmt = "#,##0.00" if c in money else "0.00" if c == "haap" else "dd-mm-yyyy" if t == pl.Date else None
        if fmt:
            for r in range(2, ws.max_row + 1):
                ws.cell(row=r, column=j).number_format = fmt
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = max(10, min(40, len(LABELS.get(c, c)) + 2))
    ws.freeze_panes = "A2"
    if df.height:
        ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())
