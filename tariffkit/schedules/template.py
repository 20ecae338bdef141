"""The schedule template (.xlsx): instructions, one sheet per citizen with drop-down lists."""

from __future__ import annotations

import io as _io

from tariffkit.schedules.columns import (
    FREQUENCY_CHOICES,
    PARAGRAPH_CHOICES,
    STAFFING_CHOICES,
    TEMPLATE_COLUMNS,
    TEMPLATE_FIRST_LINE_ROW,
    TEMPLATE_LINES,
    TEMPLATE_TITLE,
)

# --- the template ------------------------------------------------------------------------------


def write_template(sheets: int = 1) -> bytes:
    """An .xlsx template: instructions, one sheet per citizen with a header block and drop-down
    lists (data validation) for frequency, staffing and paragraph, and a hidden list sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    guide = wb.active
    guide.title = "Vejledning"
    text = [
        "Døgnskema: vejledning",
        "",
        "Udfyld ét ark pr. borger (kopiér arket 'Borger 1' for flere borgere). Skriv CPR-nr. og tilbudsnr. i hovedet.",
        "Registrér kun ansigt-til-ansigt-tid (ATA): hver aktivitet, hvor en medarbejder støtter borgeren.",
        "Minutter: hele minutter pr. gang. Hyppighed og normering vælges fra listen.",
        "Normering: 1:1 = én medarbejder til borgeren; 1:3 = én medarbejder deler tiden mellem tre borgere; 2:1 = to medarbejdere til borgeren.",
        "Paragraf: § 85 m.fl. tæller med i funktionsniveauet; § 83 (praktisk hjælp) og SUL § 138 (sygepleje) registreres, men finansieres andetsteds.",
        "Vurderede minutter udfyldes af myndighedsrådgiveren (tom = ikke vurderet). Vurderet paragraf: hvis linjen hører under en anden paragraf (fx Ny § 83), så tæller den ikke i niveauet efter vurderingen. Skal drøftes: ja, hvis linjen skal drøftes.",
        "Undgå overlap: en individuel aktivitet (1:1, 2:1) på samme tid som en anden aktivitet markeres, også hen over midnat (23:30 + 60 min rammer 00:00). En aktivitet uden faste dage (fx 2 gange ugentligt) tjekkes mod de aktiviteter, der ligger alle ugens 7 dage.",
        "Tid pr. dag: minutter × antal gange om ugen / 7, som BDO opgør det (60 min i weekenden = 17 min pr. dag). tariffkit viser både borgertid (hele linjen for borgeren, også delt tid) og personaletid (delt tid divideret med antal borgere); strukturens level_measure siger, hvilken der placerer niveauet.",
        "Kategori (valgfri): fx ledsagelse, indkøb, tøjvask, rengøring; bruges til at sammenligne serviceniveauet mellem tilbud (tom = ud fra beskrivelsen).",
        "Indlæs: tariffkit reassign døgnskemaer.xlsx --structure levels.toml --tariffs takster.parquet --placements placeringer.csv -o genindplacering.parquet",
    ]
    for i, t in enumerate(text, start=1):
        guide.cell(row=i, column=1, value=t)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120
    lists = wb.create_sheet("Lister")
    for j, (title, values) in enumerate(
        (("Hyppighed", FREQUENCY_CHOICES), ("Normering", STAFFING_CHOICES), ("Paragraf", PARAGRAPH_CHOICES), ("Skal drøftes", ["ja"])), start=1
    ):
        lists.cell(row=1, column=j, value=title)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=j, value=v)
    lists.sheet_state = "hidden"
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    last = TEMPLATE_FIRST_LINE_ROW + TEMPLATE_LINES - 1
    for n in range(1, sheets + 1):
        ws = wb.create_sheet(f"Borger {n}")
        ws["A1"] = TEMPLATE_TITLE
        ws["A1"].font = Font(bold=True, size=14)
        for r, label in ((2, "CPR-nr."), (3, "Tilbudsnr."), (4, "Udfyldt af"), (5, "Dato")):
            ws.cell(row=r, column=1, value=label).font = Font(bold=True)
            ws.cell(row=r, column=2).fill = PatternFill("solid", fgColor="FFF2CC")
        for j, h in enumerate(TEMPLATE_COLUMNS, start=1):
            c = ws.cell(row=7, column=j, value=h)
            c.font = Font(bold=True)
            c.fill = head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for col, width in zip("ABCDEFGHIJKL", (13, 40, 12, 14, 10, 20, 11, 12, 14, 10, 40, 16)):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A8"

        def dv_list(ref: str, col_letter: str, values: list[str], prompt: str) -> None:
            dv = DataValidation(type="list", formula1=f"=Lister!${col_letter}$2:${col_letter}${len(values) + 1}", allow_blank=True)
            dv.errorStyle = "warning"  # other values (e.g. '4 gange om måneden') are allowed after a warning
            dv.error = "Vælg fra listen, eller skriv fx '4 gange om ugen'."
            dv.prompt = prompt
            dv.showErrorMessage = True
            dv.showInputMessage = True
            ws.add_data_validation(dv)
            dv.add(ref)

        dv_list(f"F{TEMPLATE_FIRST_LINE_ROW}:F{last}", "A", FREQUENCY_CHOICES, "Hvor ofte?")
        dv_list(f"G{TEMPLATE_FIRST_LINE_ROW}:G{last}", "B", STAFFING_CHOICES, "1:1, 1:n eller 2:1")
        dv_list(f"C{TEMPLATE_FIRST_LINE_ROW}:C{last}", "C", PARAGRAPH_CHOICES, "Lovgrundlag")
        dv_list(f"I{TEMPLATE_FIRST_LINE_ROW}:I{last}", "C", PARAGRAPH_CHOICES, "Sagsbehandlerens paragraf, hvis linjen hører under en anden (fx Ny § 83)")
        dv_list(f"J{TEMPLATE_FIRST_LINE_ROW}:J{last}", "D", ["ja"], "ja: linjen skal drøftes")
        for col in ("E", "H"):
            dv = DataValidation(type="whole", operator="between", formula1="0", formula2="1440", allow_blank=True)
            dv.error = "Hele minutter mellem 0 og 1440."
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
            dv.add(f"{col}{TEMPLATE_FIRST_LINE_ROW}:{col}{last}")
        for r in range(TEMPLATE_FIRST_LINE_ROW, last + 1):
            ws.cell(row=r, column=4).number_format = "hh:mm"
    buf = _io.BytesIO()
    wb.save(buf)
    from tariffkit.xlsx import deterministic_zip

    return deterministic_zip(buf.getvalue())
