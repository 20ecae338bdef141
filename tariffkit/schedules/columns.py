"""Schedule columns (*døgnskemaer*): the Danish headers, the template's columns and drop-down choices, the
findings' flags, and the CPR column pseudonymised on reading."""

from __future__ import annotations

import polars as pl

from tariffkit.errors import DataError

# Danish headers → contract columns (case and trailing dots ignored).
SCHEDULE_HEADERS = {
    "cpr-nr": "cpr",
    "cpr": "cpr",
    "cprnr": "cpr",
    "cpr-nummer": "cpr",
    "tilbudsnr": "offer_id",
    "tilbud": "offer_id",
    "tilbudsnummer": "offer_id",
    "aktivitetsnr": "line_no",
    "aktivitet nr": "line_no",
    "nr": "line_no",
    "beskrivelse": "description",
    "aktivitet": "description",
    "paragraf": "paragraph",
    "lovgrundlag": "paragraph",
    "starttidspunkt": "start_time",
    "start": "start_time",
    "tidspunkt": "start_time",
    "kl": "start_time",
    "minutter": "minutes",
    "tid (minutter)": "minutes",
    "varighed": "minutes",
    "hyppighed": "frequency",
    "frekvens": "frequency",
    "normering": "staffing",
    "vurderede minutter": "assessed_minutes",
    "vurderet tid": "assessed_minutes",
    "minutter efter vurdering": "assessed_minutes",
    "bemærkning": "comment",
    "bemærkninger": "comment",
    "kommentar": "comment",
    "vurderet paragraf": "assessed_paragraph",
    "ny paragraf": "assessed_paragraph",
    "ny §": "assessed_paragraph",
    "ny": "assessed_paragraph",
    "skal drøftes": "to_discuss",
    "drøftes": "to_discuss",
    "kategori": "category",
    "aktivitetskategori": "category",
}

TEMPLATE_TITLE = "Døgnskema"
TEMPLATE_COLUMNS = [
    "Aktivitetsnr.",
    "Beskrivelse",
    "Paragraf",
    "Starttidspunkt",
    "Minutter",
    "Hyppighed",
    "Normering",
    "Vurderede minutter",
    "Vurderet paragraf",
    "Skal drøftes",
    "Bemærkning",
    "Kategori",
]
TO_DISCUSS_YES = {"ja", "x", "skal drøftes", "drøftes", "1", "sand", "true"}
TO_DISCUSS_NO = {"", "nej", "0", "falsk", "false"}
TEMPLATE_FIRST_LINE_ROW = 8  # header row 7, lines from row 8
TEMPLATE_LINES = 60
FREQUENCY_CHOICES = [
    "Alle ugens 7 dage",
    "Hverdage",
    "Weekend",
    "2 x dagligt",
    "1 gang om ugen",
    "2 gange om ugen",
    "3 gange om ugen",
    "4 gange om ugen",
    "5 gange om ugen",
    "6 gange om ugen",
    "Mandag",
    "Tirsdag",
    "Onsdag",
    "Torsdag",
    "Fredag",
    "Hver anden uge",
    "Månedligt",
    "2 gange om måneden",
]
STAFFING_CHOICES = ["1:1", "2:1", "1:2", "1:3", "1:4", "1:5", "1:6", "1:8", "1:Flere"]
PARAGRAPH_CHOICES = ["§ 85", "§ 83", "83/85", "§ 83 a", "§ 107", "§ 108", "SUL", "SUL § 138", "ABL § 105"]

# Flags on a citizen; documented in docs/commands.md and docs/concepts.md.
FLAGS = {
    "overlap": "two individual (1:1 or 2:1) activities overlap in time on the same days: the hours are overstated (BDO's overcompensation trap)",
    "over_24_hours": "more than 24 staffed hours (minutes × staff ÷ sharing) on one day of the week",
    "assessment_gap": "registered and assessed hours differ by more than the tolerance",
    "to_discuss": "the caseworker marked lines to be discussed (skal drøftes)",
    "outside_band": "the counted hours lie outside the band of the current level (service drift, or a placement that is too high)",
    "above_top_band": "hours above the top band: top level plus a 5+ supplement for the hours above it",
    "level_change": "the new level differs from the current level",
    "above_paid_level": "another municipality's citizen whose new level is above the level that municipality pays for",
    "invalid_lines": "one or more schedule lines were invalid and left out (see notes for row and column)",
    "no_placement": "a schedule without a current placement: no current level or tariff",
    "no_schedule": "a current placement without a schedule: no new level",
    "no_tariff": "no tariff for the offer and level (external offer, or a level the tariffs do not cover)",
}


def _header_key(h: str) -> str:
    return " ".join(h.strip().lower().rstrip(".:").split())


def rename_headers(df: pl.DataFrame, headers: dict[str, str], file: str) -> pl.DataFrame:
    """Danish (or contract) headers → contract names; unknown columns are dropped."""
    ren: dict[str, str] = {}
    seen: dict[str, str] = {}
    for c in df.columns:
        if c == "_row":
            continue
        target = headers.get(_header_key(c), c if c in headers.values() or c == "citizen_id" else None)
        if target is None:
            continue
        if target in seen:
            raise DataError(f"two columns mean the same ({seen[target]!r} and {c!r} are both {target})", file=file, column=c)
        seen[target] = c
        ren[c] = target
    keep = (["_row"] if "_row" in df.columns else []) + list(ren)
    return df.select(keep).rename(ren)


def pseudonymise_column(df: pl.DataFrame, key: bytes, file: str, column_label: str = "CPR-nr.") -> pl.DataFrame:
    """Replace the ``cpr`` text column by ``citizen_id``; a value that is not a CPR number is an
    error naming the row (the value itself is never shown)."""
    from tariffkit.cpr import normalise_expr, pseudonymise

    if "cpr" not in df.columns:
        if "citizen_id" in df.columns:
            return df
        raise DataError("missing column CPR-nr. (or citizen_id)", file=file, row=1, column=column_label)
    # Work on the distinct values (a citizen has many lines): normalise, check, hash, join back.
    uniq = df.select(pl.col("cpr").unique()).with_columns(d=normalise_expr(pl.col("cpr")))  # the import's rule (tariffkit.cpr)
    bad_values = uniq.filter(pl.col("d").is_null())["cpr"]
    if bad_values.len():
        bad = df.filter(pl.col("cpr").is_in(bad_values.implode()) | pl.col("cpr").is_null())
        rows = bad["_row"] if "_row" in bad.columns else None
        raise DataError(
            f"expected a CPR number (DDMMÅÅ-XXXX), found something else ({bad.height} rows like this; value not shown)",
            file=file,
            row=int(rows[0]) if rows is not None else None,
            column=column_label,
        )
    uniq = uniq.with_columns(citizen_id=pseudonymise(uniq["d"], key)).select("cpr", "citizen_id")
    from tariffkit.cpr import scrub_frame

    # the CPR column pseudonymised, a CPR number typed into any other text (a remark, a municipality) scrubbed
    return scrub_frame(df.join(uniq, on="cpr", how="left", maintain_order="left").drop("cpr"), keep={"citizen_id", "_file"})
