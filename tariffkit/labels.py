"""What people read, in Danish: one table of labels for the columns, the coded values and the
flags that xlsx workbooks and HTML show. The Parquet tables keep their stable English codes;
only what is written for people is translated, from here."""

from __future__ import annotations

COLUMNS = {
    # people and places
    "citizen_id": "Borger (pseudonym)",
    "caseworker": "Sagsbehandler",
    "case_id": "Sagsnr.",
    "offer_id": "Tilbud",
    "offer_name": "Tilbudsnavn",
    "provider": "Leverandør",
    "paragraph": "Paragraf",
    "paragraph_also": "Også paragraf",
    "function": "Funktion",
    "level": "Funktionsniveau",
    "origin": "Oprindelse",
    "municipality": "Betalingskommune",
    "paying_municipality": "Betalingskommune",
    "acting_municipality": "Handlekommune",
    "source": "Kilde",
    # periods and dates
    "period": "Periode",
    "month": "Måned",
    "year": "År",
    "quarter": "Kvartal",
    "compare_quarter": "Sammenlignet med",
    "service_from": "Periode fra",
    "service_to": "Periode til",
    "extract_date": "Udtræksdato",
    "as_of": "Opgjort pr.",
    "valid_from": "Fra dato",
    "valid_to": "Til dato",
    "claim_deadline": "Frist for krav",
    # key figures
    "citizens": "Borgere",
    "haap": "HÅP",
    "expense": "Udgift",
    "average_price": "Gns. pris",
    "inflow": "Tilgang",
    "outflow": "Afgang",
    "haap_ytd": "HÅP til dato",
    "expense_ytd": "Forbrug til dato",
    "haap_forecast": "HÅP prognose",
    "expense_forecast": "Prognose",
    "refund": "Refusion",
    "expense_net": "Udgift efter refusion",
    "amount": "Beløb",
    "kind": "Type",
    "days": "Dage",
    "daily_tariff": "Døgntakst",
    "annual_tariff": "Takst pr. år",
    "late": "For sent",
    # portfolio
    "monthly_cost": "Udgift pr. måned",
    "monthly_cost_compare": "Udgift pr. måned (sammenligning)",
    "annualised_cost": "Årlig udgift",
    "change": "Ændring (kr. pr. år)",
    "change_pct": "Ændring %",
    "approval_level": "Bevillingsniveau",
    "flags": "Markeringer",
    "cases": "Sager",
    "annual_cost": "Årlig udgift",
    "flagged_cases": "Markerede sager",
    # re-placement and negotiation
    "current_level": "Nuværende niveau",
    "new_level": "Nyt niveau",
    "paid_level": "Betalt niveau",
    "assessed_level": "Vurderet niveau",
    "current_tariff": "Nuværende takst",
    "new_tariff": "Ny takst",
    "annual_change": "Ændring pr. år",
    "yearly_difference": "Forskel pr. år",
    "hours_registered": "Timer registreret",
    "hours_assessed": "Timer vurderet",
    "hours_counted": "Timer talt med",
    "notes": "Noter",
    "hours_other": "Timer under andre paragraffer",
    "supplement_hours": "Timer over øverste niveau (5+)",
    "potential_minutes_per_day": "Potentiale (min. pr. dag)",
    "potential_per_year": "Potentiale (kr. pr. år)",
    "staff_hours_all": "Personaletimer pr. uge, alle paragraffer",
    "staff_hours_ata": "Personaletimer pr. uge, ATA-paragraffer",
    "citizen_hours_all": "Borgertimer pr. uge, alle paragraffer",
    "citizen_hours_ata": "Borgertimer pr. uge, ATA-paragraffer",
    "citizen_minutes_per_day": "Borgertid (min. pr. dag)",
    "citizen_minutes_per_day_assessed": "Borgertid vurderet (min. pr. dag)",
    "below_minimum": "Under minimumstimer",
    # service levels
    "category": "Aktivitetskategori",
    "citizens_with_activity": "Borgere med aktiviteten",
    "minutes_per_week": "Minutter pr. uge",
    "minutes_per_citizen": "Minutter pr. borger pr. uge",
    "median_minutes_per_citizen": "Median over tilbud",
    "ratio_to_median": "Forhold til median",
    "offers_compared": "Tilbud sammenlignet",
    "far_from_median": "Langt fra medianen",
    "lines_to_discuss": "Linjer til drøftelse",
    "source_file": "Kildefil",
    "source_row": "Linje i kildefilen",
    "case_id_": "Sagsnr.",
    # reconciliation
    "months_paid": "Måneder betalt",
    "months_placed": "Måneder placeret",
    "finding": "Fund",
    # refunds
    "gross": "Udgift før refusion",
    "refund_recorded": "Refusion bogført",
    "refund_estimated": "Refusion skønnet",
}

VALUES = {
    "own": "egen borger",
    "other": "anden kommune",
    "internal": "intern",
    "external": "ekstern",
    "actual": "forbrug",
    "commitment": "disposition",
    "refund": "refusion",
    "payments": "DSS",
    "placements": "placeringer",
    "paid, not placed": "betalt, ikke placeret",
    "placed, not paid": "placeret, ikke betalt",
    "placed in months not paid": "placeret i måneder uden betaling",
    "paid in months not placed": "betalt i måneder uden placering",
}

FLAGS = {
    # portfolio
    "cost_up": "dyrere",
    "level_changed": "niveau ændret",
    "schedule_level_differs": "døgnskema giver andet niveau",
    "commitment_ending": "disposition udløber",
    "new_case": "ny sag",
    "closed_case": "afsluttet sag",
    "follow_up_due": "opfølgning",
    "tier_up": "kræver højere bevilling",
    "no_schedule": "mangler døgnskema",
    # reassign
    "overlap": "overlap",
    "over_24_hours": "over 24 timer",
    "assessment_gap": "forskel registreret/vurderet",
    "outside_band": "uden for niveauets timer",
    "above_top_band": "over øverste niveau (5+)",
    "level_change": "nyt niveau",
    "above_paid_level": "over betalt niveau",
    "invalid_lines": "ugyldige linjer",
    "no_placement": "ingen placering",
    "no_tariff": "ingen takst",
    "to_discuss": "skal drøftes",
}

CODED_COLUMNS = ("origin", "provider", "kind", "source", "finding")  # columns whose values are codes


def column(name: str) -> str:
    return COLUMNS.get(name, name)


def value(v: str | None) -> str | None:
    return None if v is None else VALUES.get(v, v)


def flags(codes) -> str:
    return ", ".join(FLAGS.get(c, c) for c in codes)
