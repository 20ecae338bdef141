"""Hostile inputs across every command (issue 29): each case states the promise it checks. For
every case: the exit code (1 data, 2 usage), a message that names the file/row/column or the
option, no traceback, no CPR number in stdout, stderr or any file written, no output written,
and the inputs unchanged. Together with tests/test_bad_inputs.py this is the corpus."""

import hashlib
from pathlib import Path

import pytest
from conftest import HEADER, SAMPLE, dss_line, golden

REF = SAMPLE / "reference"
CPR = "700101-1234"  # planted in the DSS lines and schedules (replacement form: day + 60 is not a real date of birth… but CPR-shaped)
STAFF_H = "offer_id;year;category;fte;cost_per_fte;gives_ata"
SCHED_H = "CPR-nr.;Tilbudsnr.;Aktivitetsnr.;Beskrivelse;Paragraf;Starttidspunkt;Minutter;Hyppighed;Normering;Vurderede minutter;Bemærkning"
SCHED_LINE = f"{CPR};T1;1;Morgen;§ 85;07:00;60;Alle ugens 7 dage;1:1;;"
LEVELS = (SAMPLE / "levels.toml").read_text(encoding="utf-8")


def w(t: Path, name: str, text: str | bytes) -> Path:
    p = t / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def dss(t, *lines, header=HEADER, name="d.csv"):
    return w(t, name, "\n".join([header, *(lines or (dss_line(cpr=CPR),))]) + "\n")


def payments(t):
    """A small imported payments table (made with the CLI, before the case runs)."""
    from click.testing import CliRunner
    from conftest import KEY

    from tariffkit.cli import cli

    out = t / "pay.parquet"
    r = CliRunner().invoke(
        cli,
        ["import-dss", str(dss(t, dss_line(cpr=CPR), dss_line(cpr=CPR, frm="01-02-2025", to="28-02-2025"), name="in.csv")), "-o", str(out)],
        env={"TARIFFKIT_KEY": KEY},
    )
    assert r.exit_code == 0, r.output
    return out


def structure(t, extra="", name="l.toml"):
    return w(t, name, LEVELS.replace("[activity_categories]", extra + "\n[activity_categories]", 1) if extra else LEVELS)


def tb(t, **over):
    a = {"--structure": REF / "levels.toml", "--costs": REF / "costs.csv", "--haap": REF / "expected-haap.csv", "--year": "2024"}
    a.update(over)
    return ["tariff-build", *[x for kv in a.items() for x in kv]]


def ra(t, sched=None, **over):
    a = {"--structure": SAMPLE / "levels.toml"}
    a.update(over)
    return ["reassign", sched or w(t, "s.csv", f"{SCHED_H}\n{SCHED_LINE}\n"), *[x for kv in a.items() for x in kv if x is not None]]


def bf(t, *extra):
    return [
        "budget-forecast",
        "--year",
        "2024",
        "--costs",
        REF / "costs.csv",
        "--tariffs",
        REF / "tariffs.csv",
        "--haap",
        REF / "forecast-haap.csv",
        "--staff",
        REF / "staff.csv",
        *extra,
    ]


NOWHERE = "no-such-folder/x"

# (id, promise, builder(tmp) -> args, exit code, fragments that must be in stderr)
CASES = [
    # --- import-dss ------------------------------------------------------------------------
    (
        "dss-two-amount-columns",
        "a second Beløb is not silently ignored",
        lambda t: ["import-dss", dss(t, dss_line(cpr=CPR).replace(";Forbrug", ";1,00;Forbrug"), header=HEADER.replace(";Beløb", ";Beløb;Beløb"))],
        1,
        ["d.csv, row 1, column Beløb", "two columns"],
    ),
    (
        "dss-two-cpr-columns",
        "a second CPR column is refused",
        lambda t: ["import-dss", dss(t, f"{CPR};" + dss_line(cpr=CPR), header="CPR-nr.;" + HEADER)],
        1,
        ["d.csv", "two columns are named 'CPR-nr.'"],
    ),
    ("dss-header-only-bom", "a header-only extract says so", lambda t: ["import-dss", w(t, "b.csv", "\ufeff" + HEADER + "\n")], 1, ["b.csv", "no data rows"]),
    (
        "dss-output-missing-folder",
        "-o in a missing folder: refused before work",
        lambda t: ["import-dss", dss(t), "-o", t / NOWHERE],
        2,
        ["-o", "does not exist"],
    ),
    ("dss-output-is-folder", "-o that is a folder", lambda t: ["import-dss", dss(t), "-o", t], 2, ["-o", "is a folder"]),
    (
        "dss-rejects-missing-folder",
        "--rejects in a missing folder",
        lambda t: ["import-dss", dss(t), "--rejects", t / NOWHERE],
        2,
        ["--rejects", "does not exist"],
    ),
    ("dss-summary-is-folder", "--summary-json that is a folder", lambda t: ["import-dss", dss(t), "--summary-json", t], 2, ["--summary-json", "is a folder"]),
    ("dss-extract-date-bad", "--extract-date not a date", lambda t: ["import-dss", dss(t), "--extract-date", "31-09-2026"], 2, ["--extract-date"]),
    (
        "dss-extract-date-cpr",
        "an option value shaped like a CPR number is not repeated",
        lambda t: ["import-dss", dss(t), "--extract-date", "010170-1234"],
        2,
        ["--extract-date"],
    ),
    ("dss-unknown-option", "an unknown option", lambda t: ["import-dss", dss(t), "--frobnicate"], 2, ["--frobnicate"]),
    ("dss-mapping-not-toml", "a mapping that is not TOML", lambda t: ["import-dss", dss(t), "--mapping", w(t, "m.toml", "[columns\n")], 1, ["m.toml"]),
    (
        "dss-mapping-number",
        "a mapping column given as a number",
        lambda t: ["import-dss", dss(t), "--mapping", w(t, "m.toml", "[columns]\namount = 5\n")],
        1,
        ["m.toml"],
    ),
    (
        "dss-xlsx-two-amounts",
        "a second Beløb in Excel is refused",
        lambda t: [
            "import-dss",
            _xlsx(t, HEADER.replace(";Beløb", ";Beløb;Beløb").split(";"), [dss_line(cpr=CPR).replace(";Forbrug", ";1,00;Forbrug").split(";")]),
        ],
        1,
        ["x.xlsx", "two columns are named 'Beløb'"],
    ),
    (
        "dss-10mb-field",
        "a 10 MB bad field gives a short message",
        lambda t: ["import-dss", dss(t, dss_line(cpr=CPR, amount="x" * 10_000_000))],
        1,
        ["d.csv, row 2, column Beløb", "(10,000,000 characters)"],
    ),
    (
        "dss-ragged-line",
        "a line with more fields than the header is named by its row",
        lambda t: ["import-dss", dss(t, dss_line(cpr=CPR), dss_line(cpr=CPR) + ";extra;more")],
        1,
        ["d.csv, row 3", "16 fields, the header 14"],
    ),
    (
        "validate-ragged-line",
        "validate names the ragged row",
        lambda t: ["validate", "staff", w(t, "s.csv", f"{STAFF_H}\nA;2024;trained;1;1,00;ja;x\n")],
        1,
        ["s.csv, row 2", "7 fields, the header 6"],
    ),
    ("dss-binary-junk", "random bytes named .csv", lambda t: ["import-dss", w(t, "j.csv", bytes(range(256)) * 4)], 1, ["j.csv"]),
    (
        "dss-amount-with-cpr",
        "a CPR in the amount: rejected without the CPR in the message",
        lambda t: ["import-dss", dss(t, dss_line(cpr=CPR, amount=CPR))],
        1,
        ["d.csv, row 2, column Beløb"],
    ),
    ("dss-folder-as-input", "a folder as the input", lambda t: ["import-dss", t], 1, ["is a folder, expected a file"]),
    (
        "same-file-twice",
        "two outputs to one file: refused, neither written",
        lambda t: tb(t, **{"-o": t / "same.out", "--card": t / "same.out"}),
        1,
        ["two outputs of this command go to the same file"],
    ),
    # --- compute-haap ----------------------------------------------------------------------
    ("haap-year-zero", "--year 0", lambda t: ["compute-haap", payments(t), "--year", "0"], 2, ["--year"]),
    ("haap-year-text", "--year abc", lambda t: ["compute-haap", payments(t), "--year", "abc"], 2, ["--year"]),
    ("haap-from-month-13", "--from 2025-13", lambda t: ["compute-haap", payments(t), "--from", "2025-13", "--to", "2025-12"], 2, ["--from"]),
    ("haap-from-without-to", "--from without --to", lambda t: ["compute-haap", payments(t), "--from", "2025-01"], 2, ["--from", "--to"]),
    ("haap-to-before-from", "--to before --from", lambda t: ["compute-haap", payments(t), "--from", "2025-05", "--to", "2025-01"], 2, ["--to"]),
    ("haap-by-unknown", "--by an unknown column", lambda t: ["compute-haap", payments(t), "--by", "colour"], 2, ["--by", "colour"]),
    (
        "haap-by-twice",
        "--by naming a column twice is a usage error, not a corrupt file",
        lambda t: ["compute-haap", payments(t), "--by", "offer_id,offer_id"],
        2,
        ["--by names offer_id twice"],
    ),
    ("haap-by-citizen", "--by citizen_id would list persons", lambda t: ["compute-haap", payments(t), "--by", "citizen_id"], 2, ["--by citizen_id"]),
    ("haap-as-of-bad", "--as-of not a date", lambda t: ["compute-haap", payments(t), "--as-of", "2025-02-30"], 2, ["--as-of"]),
    ("haap-as-of-outside", "--as-of outside the period", lambda t: ["compute-haap", payments(t), "--year", "2024", "--as-of", "2025-01-31"], 2, ["--as-of"]),
    ("haap-as-of-after-horizon", "--as-of after the newest extract", lambda t: ["compute-haap", payments(t), "--as-of", "2025-12-31"], 2, ["as-of"]),
    ("haap-method-bogus", "--method bogus", lambda t: ["compute-haap", payments(t), "--method", "weeks"], 2, ["--method"]),
    ("haap-stay-gap-negative", "--stay-gap -1", lambda t: ["compute-haap", payments(t), "--stay-gap", "-1"], 2, ["--stay-gap"]),
    ("haap-known-at-before", "--known-at before the oldest extract", lambda t: ["compute-haap", payments(t), "--known-at", "2000-01-31"], 2, ["known-at"]),
    (
        "haap-date-in-year-one",
        "a date in year 1 in a Parquet input is named, not an internal error",
        lambda t: ["compute-haap", _year_one(t)],
        1,
        ["y1.parquet, row 1, column service_from", "1900"],
    ),
    (
        "haap-line-without-end-date",
        "a line without its end date is named with --year too, never dropped unseen with its money",
        lambda t: ["compute-haap", _no_end_date(t), "--year", "2026"],
        1,
        ["noend.parquet, row 2, column service_to", "empty value"],
    ),
    ("haap-csv-input", "a CSV where Parquet belongs", lambda t: ["compute-haap", REF / "staff.csv"], 1, ["staff.csv"]),
    (
        "haap-budget-missing",
        "--budget file missing",
        lambda t: ["compute-haap", payments(t), "--year", "2025", "--budget", t / "nope.csv"],
        1,
        ["nope.csv", "not found"],
    ),
    ("haap-output-missing-folder", "-o in a missing folder", lambda t: ["compute-haap", payments(t), "-o", t / NOWHERE], 2, ["-o", "does not exist"]),
    # --- price-ata -------------------------------------------------------------------------
    (
        "ata-two-fte-columns",
        "two fte columns",
        lambda t: ["price-ata", w(t, "s.csv", "offer_id;year;category;fte;fte;cost_per_fte;gives_ata\nA;2024;trained;1;2;1,00;ja\n")],
        1,
        ["s.csv, row 1, column fte", "two columns"],
    ),
    ("ata-header-only", "a staff table without rows", lambda t: ["price-ata", w(t, "s.csv", STAFF_H + "\n")], 1, ["s.csv", "no rows"]),
    (
        "ata-citizen-without-hours",
        "--measure citizen needs --hours",
        lambda t: ["price-ata", REF / "staff.csv", "--measure", "citizen"],
        2,
        ["--measure citizen", "--hours"],
    ),
    ("ata-measure-bogus", "--measure bogus", lambda t: ["price-ata", REF / "staff.csv", "--measure", "minutes"], 2, ["--measure"]),
    (
        "ata-hours-wrong-table",
        "--hours without the two measures",
        lambda t: ["price-ata", REF / "staff.csv", "--measure", "citizen", "--hours", REF / "staff.csv"],
        1,
        ["staff.csv", "staff_hours_ata"],
    ),
    (
        "ata-assumptions-unknown",
        "an unknown assumption",
        lambda t: ["price-ata", REF / "staff.csv", "--assumptions", w(t, "a.toml", "holidays = 3\n")],
        1,
        ["a.toml", "holidays"],
    ),
    (
        "ata-assumptions-nan",
        "nan in the assumptions",
        lambda t: ["price-ata", REF / "staff.csv", "--assumptions", w(t, "a.toml", "sickness_share = nan\n")],
        1,
        ["a.toml", "sickness_share"],
    ),
    (
        "ata-assumptions-text",
        "text where a number belongs",
        lambda t: ["price-ata", REF / "staff.csv", "--assumptions", w(t, "a.toml", 'norm_hours_per_fte = "many"\n')],
        1,
        ["a.toml", "norm_hours_per_fte"],
    ),
    (
        "ata-share-one",
        "an indirect share of 1 leaves no ATA time",
        lambda t: ["price-ata", REF / "staff.csv", "--assumptions", w(t, "a.toml", "indirect_share = 1\n")],
        1,
        ["a.toml", "below 1"],
    ),
    ("ata-basis-bogus", "--basis bogus", lambda t: ["price-ata", REF / "staff.csv", "--basis", "wish"], 2, ["--basis"]),
    (
        "ata-cost-nan",
        "cost per FTE not a number",
        lambda t: ["price-ata", w(t, "s.csv", f"{STAFF_H}\nA;2024;trained;1;NaN;ja\n")],
        1,
        ["s.csv, row 2, column cost_per_fte"],
    ),
    # --- tariff-build ----------------------------------------------------------------------
    (
        "tb-level-measure-bogus",
        "level_measure must be staff or citizen",
        lambda t: tb(t, **{"--structure": structure(t, 'level_measure = "minutes"')}),
        1,
        ["l.toml", "level_measure"],
    ),
    (
        "tb-minimum-hours-text",
        "minimum_hours as text",
        lambda t: tb(t, **{"--structure": structure(t, 'minimum_hours = "nine"')}),
        1,
        ["l.toml", "minimum_hours"],
    ),
    (
        "tb-categories-number",
        "activity category keywords as a number",
        lambda t: tb(t, **{"--structure": w(t, "l.toml", LEVELS.replace('ledsagelse = ["ledsag"]', "ledsagelse = 3"))}),
        1,
        ["l.toml", "activity_categories.ledsagelse"],
    ),
    (
        "tb-band-zero",
        "service_level_band 0",
        lambda t: tb(t, **{"--structure": w(t, "l.toml", LEVELS.replace("service_level_band = 0.5", "service_level_band = 0"))}),
        1,
        ["l.toml", "service_level_band"],
    ),
    ("tb-levels-not-tables", "levels that are not tables", lambda t: tb(t, **{"--structure": w(t, "l.toml", "levels = [1, 2]\n")}), 1, ["l.toml", "levels"]),
    (
        "tb-max-hours-nan",
        "a band bound that is nan",
        lambda t: tb(t, **{"--structure": w(t, "l.toml", "[[levels]]\nlevel = 1\nmin_hours = 0\nmax_hours = nan\n")}),
        1,
        ["l.toml", "max_hours"],
    ),
    (
        "tb-max-hours-inf",
        "a band bound that is inf",
        lambda t: tb(t, **{"--structure": w(t, "l.toml", "[[levels]]\nlevel = 1\nmin_hours = 0\nmax_hours = inf\n")}),
        1,
        ["l.toml", "max_hours"],
    ),
    (
        "tb-negative-hours",
        "negative hours",
        lambda t: tb(t, **{"--structure": w(t, "l.toml", "[[levels]]\nlevel = 1\nmin_hours = -5\nmax_hours = 9\n")}),
        1,
        ["l.toml", "min_hours"],
    ),
    (
        "tb-days-zero",
        "zero days a year",
        lambda t: tb(t, **{"--structure": w(t, "l.toml", LEVELS.replace("days_per_year = 365", "days_per_year = 0"))}),
        1,
        ["l.toml", "days_per_year"],
    ),
    ("tb-rules-not-toml", "--rules that is not TOML", lambda t: tb(t, **{"--rules": w(t, "r.toml", "[carry\n")}), 1, ["r.toml"]),
    ("tb-card-missing-folder", "--card in a missing folder", lambda t: tb(t, **{"--card": t / NOWHERE}), 2, ["--card", "does not exist"]),
    ("tb-portal-is-folder", "--portal that is a folder", lambda t: tb(t, **{"--portal": t}), 2, ["--portal", "is a folder"]),
    ("tb-year-huge", "--year 99999", lambda t: tb(t, **{"--year": "99999"}), 2, ["--year"]),
    (
        "tb-costs-two-amounts",
        "two amount columns in the costs",
        lambda t: tb(
            t,
            **{
                "--costs": w(t, "c.csv", "offer_id;year;basis;line;label;group;follows_ata;amount;amount\nA;2024;tariff_budget;x;x;fixed_offer;nej;1,00;2,00\n")
            },
        ),
        1,
        ["c.csv, row 1, column amount", "two columns"],
    ),
    (
        "tb-haap-nan",
        "HÅP that is not a number",
        lambda t: tb(t, **{"--haap": w(t, "h.csv", "offer_id;level;haap\nA;1;NaN\n")}),
        1,
        ["h.csv, row 2, column haap"],
    ),
    ("tb-structure-missing", "a structure file that is not there", lambda t: tb(t, **{"--structure": t / "nope.toml"}), 1, ["nope.toml"]),
    # --- reassign --------------------------------------------------------------------------
    ("ra-header-only", "a schedule without lines says so", lambda t: ra(t, w(t, "s.csv", SCHED_H + "\n")), 1, ["s.csv", "no lines"]),
    (
        "ra-two-minutes-columns",
        "two Minutter columns",
        lambda t: ra(t, w(t, "s.csv", SCHED_H.replace(";Minutter", ";Minutter;Minutter") + "\n" + SCHED_LINE.replace(";60;", ";60;30;") + "\n")),
        1,
        ["s.csv, row 1, column Minutter", "two columns"],
    ),
    ("ra-no-structure", "reassign without --structure", lambda t: ["reassign", w(t, "s.csv", f"{SCHED_H}\n{SCHED_LINE}\n")], 2, ["--structure"]),
    ("ra-tolerance-negative", "--tolerance -1", lambda t: ra(t, **{"--tolerance": "-1"}), 2, ["--tolerance"]),
    (
        "ra-placed-on-bad",
        "--placed-on not a date",
        lambda t: ra(t, **{"--placed-on": "tomorrow", "--placements": SAMPLE / "placeringer.csv"}),
        2,
        ["--placed-on"],
    ),
    ("ra-phase-in-bad", "--phase-in not YEAR:SHARE", lambda t: ra(t, **{"--phase-in": "soon", "--by-offer": t / "o.parquet"}), 2, ["phase"]),
    (
        "ra-phase-in-share",
        "--phase-in share above 1",
        lambda t: ra(t, **{"--phase-in": "2026:1.5", "--by-offer": t / "o.parquet"}),
        2,
        ["phase", "between 0 and 1"],
    ),
    ("ra-on-error-bogus", "--on-error bogus", lambda t: ra(t, **{"--on-error": "ignore"}), 2, ["--on-error"]),
    (
        "ra-placements-and-payments",
        "--placements with --payments",
        lambda t: ra(t, **{"--placements": SAMPLE / "placeringer.csv", "--payments": REF / "staff.csv"}),
        2,
        ["--placements", "--payments"],
    ),
    (
        "ra-service-levels-missing-folder",
        "--service-levels in a missing folder",
        lambda t: ra(t, **{"--service-levels": t / NOWHERE}),
        2,
        ["--service-levels", "does not exist"],
    ),
    ("ra-by-offer-is-folder", "--by-offer that is a folder", lambda t: ra(t, **{"--by-offer": t}), 2, ["--by-offer", "is a folder"]),
    (
        "ra-negotiation-missing-folder",
        "--negotiation in a missing folder",
        lambda t: ra(t, **{"--negotiation": t / NOWHERE}),
        2,
        ["--negotiation", "does not exist"],
    ),
    (
        "ra-bad-start-time",
        "a start time that is not a time",
        lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\n" + SCHED_LINE.replace("07:00", "25:99") + "\n")),
        1,
        ["s.csv, row 2, column Starttidspunkt"],
    ),
    (
        "ra-minutes-over-a-day",
        "more than 1440 minutes",
        lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\n" + SCHED_LINE.replace(";60;", ";2000;") + "\n")),
        1,
        ["s.csv, row 2, column Minutter"],
    ),
    (
        "ra-decimal-minutes",
        "decimal minutes",
        lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\n" + SCHED_LINE.replace(";60;", ";7,5;") + "\n")),
        1,
        ["s.csv, row 2, column Minutter"],
    ),
    (
        "ra-staffing-zero",
        "staffing 0:1",
        lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\n" + SCHED_LINE.replace(";1:1;", ";0:1;") + "\n")),
        1,
        ["s.csv, row 2, column Normering"],
    ),
    (
        "ra-cpr-in-remark",
        "a CPR in the remark is not echoed",
        lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\n" + SCHED_LINE.replace(";60;", ";x;")[:-1] + f"{CPR}\n")),
        1,
        ["s.csv, row 2, column Minutter"],
    ),
    ("ra-template-no-output", "--template without -o", lambda t: ["reassign", "--template"], 2, ["--template", "-o"]),
    (
        "ra-structure-shared-one",
        "shared_citizens 1",
        lambda t: ra(t, **{"--structure": w(t, "l.toml", LEVELS.replace("shared_citizens = 3", "shared_citizens = 1"))}),
        1,
        ["l.toml", "shared_citizens"],
    ),
    ("ra-xlsx-missing-sheet-named", "a broken schedule workbook", lambda t: ra(t, w(t, "s.xlsx", b"PK\x03\x04\x14\x00junk")), 1, ["s.xlsx"]),
    # --- budget-forecast -------------------------------------------------------------------
    ("bf-pl-huge", "--pl 5 is not a yearly rate", lambda t: bf(t, "--pl", "5"), 2, ["pl"]),
    ("bf-pl-text", "--pl text", lambda t: bf(t, "--pl", "lots"), 2, ["pl"]),
    ("bf-pl-missing-year", "--pl without every out-year", lambda t: bf(t, "--pl", "2025:0.02"), 2, ["pl", "2026"]),
    ("bf-out-years-negative", "--out-years -1", lambda t: bf(t, "--out-years", "-1"), 2, ["--out-years"]),
    ("bf-next-costs-missing-folder", "--next-costs in a missing folder", lambda t: bf(t, "--next-costs", t / NOWHERE), 2, ["--next-costs", "does not exist"]),
    (
        "bf-costs-two-groups",
        "two group columns in the costs",
        lambda t: [
            "budget-forecast",
            "--year",
            "2024",
            "--costs",
            w(t, "c.csv", "offer_id;year;basis;line;label;group;group;follows_ata;amount\nA;2024;budget;x;x;fixed_offer;fixed_offer;nej;1,00\n"),
            "--tariffs",
            REF / "tariffs.csv",
            "--haap",
            REF / "forecast-haap.csv",
        ],
        1,
        ["c.csv, row 1, column group"],
    ),
    ("bf-year-zero", "--year 0", lambda t: ["budget-forecast", "--year", "0", "--costs", REF / "costs.csv"], 2, ["--year"]),
    # --- portfolio -------------------------------------------------------------------------
    ("pf-quarter-five", "--quarter 2025Q5", lambda t: ["portfolio", payments(t), "--quarter", "2025Q5"], 2, ["--quarter"]),
    ("pf-quarter-text", "--quarter last", lambda t: ["portfolio", payments(t), "--quarter", "last"], 2, ["--quarter"]),
    (
        "pf-tiers-nan",
        "an approval limit that is nan",
        lambda t: ["portfolio", payments(t), "--quarter", "2025Q1", "--tiers", w(t, "b.toml", "[[tiers]]\nname = 'a'\nup_to = nan\n[[tiers]]\nname = 'b'\n")],
        1,
        ["b.toml", "up_to"],
    ),
    (
        "pf-tiers-negative",
        "a negative approval limit",
        lambda t: ["portfolio", payments(t), "--quarter", "2025Q1", "--tiers", w(t, "b.toml", "[[tiers]]\nname = 'a'\nup_to = -5\n[[tiers]]\nname = 'b'\n")],
        1,
        ["b.toml", "up_to"],
    ),
    (
        "pf-xlsx-missing-folder",
        "--xlsx in a missing folder",
        lambda t: ["portfolio", payments(t), "--quarter", "2025Q1", "--xlsx", t / NOWHERE],
        2,
        ["--xlsx", "does not exist"],
    ),
    (
        "pf-summary-is-folder",
        "--summary that is a folder",
        lambda t: ["portfolio", payments(t), "--quarter", "2025Q1", "--summary", t],
        2,
        ["--summary", "is a folder"],
    ),
    ("pf-not-payments", "a staff table as payments", lambda t: ["portfolio", REF / "staff.csv", "--quarter", "2025Q1"], 1, ["staff.csv"]),
    # --- show, validate, schema, export, sample ---------------------------------------------
    ("show-missing", "show a missing file", lambda t: ["show", t / "nope.parquet"], 1, ["nope.parquet", "not found"]),
    ("show-limit-negative", "show --limit -1", lambda t: ["show", REF / "staff.csv", "--limit", "-1"], 2, ["--limit"]),
    ("show-wide-not-budget", "show --wide on a table that is not a budget", lambda t: ["show", REF / "staff.csv", "--wide"], 1, ["--wide"]),
    ("show-meta-csv", "show --meta on a CSV", lambda t: ["show", REF / "staff.csv", "--meta"], 1, ["staff.csv", "provenance"]),
    ("show-two-columns", "show a CSV with two columns of one name", lambda t: ["show", w(t, "s.csv", "a;a\n1;2\n")], 1, ["s.csv", "two columns are named 'a'"]),
    ("validate-unknown-table", "validate an unknown table", lambda t: ["validate", "people", REF / "staff.csv"], 2, ["people"]),
    (
        "validate-two-columns",
        "validate a file with two fte columns",
        lambda t: ["validate", "staff", w(t, "s.csv", "offer_id;year;category;fte;fte;cost_per_fte;gives_ata\nA;2024;trained;1;2;1,00;ja\n")],
        1,
        ["s.csv", "two columns"],
    ),
    ("schema-unknown", "schema of an unknown table", lambda t: ["schema", "people"], 2, ["people"]),
    ("export-missing", "export a missing file", lambda t: ["export", t / "nope.parquet", "-o", t / "x.xlsx"], 1, ["nope.parquet"]),
    (
        "export-missing-folder",
        "export into a missing folder",
        lambda t: ["export", REF / "staff.csv", "-o", t / "no-such-folder" / "x.xlsx"],
        2,
        ["-o", "does not exist"],
    ),
    ("sample-too-few", "sample --citizens 5", lambda t: ["sample", "--out", t / "s", "--citizens", "5"], 2, ["--citizens"]),
    # --- close-year, occupancy, billing, refunds, report ------------------------------------
    ("close-year-missing-costs", "close-year without its inputs", lambda t: ["close-year", "--year", "2024"], 2, ["--costs"]),
    (
        "close-year-settlement-missing-folder",
        "--settlement in a missing folder",
        lambda t: [
            "close-year",
            "--year",
            "2024",
            "--costs",
            REF / "costs.csv",
            "--occupancy",
            REF / "expected-haap.csv",
            "--tariffs",
            REF / "tariffs.csv",
            "--settlement",
            t / NOWHERE,
        ],
        2,
        ["--settlement", "does not exist"],
    ),
    (
        "close-year-recomputed-is-folder",
        "--recomputed that is a folder",
        lambda t: [
            "close-year",
            "--year",
            "2024",
            "--costs",
            REF / "costs.csv",
            "--occupancy",
            REF / "expected-haap.csv",
            "--tariffs",
            REF / "tariffs.csv",
            "--recomputed",
            t,
        ],
        2,
        ["--recomputed", "is a folder"],
    ),
    (
        "close-year-year-out-of-range",
        "close-year --year 1800",
        lambda t: ["close-year", "--year", "1800", "--costs", REF / "costs.csv", "--occupancy", REF / "expected-haap.csv", "--tariffs", REF / "tariffs.csv"],
        2,
        ["--year"],
    ),
    (
        "report-save-figures-missing-folder",
        "--save-figures in a missing folder",
        lambda t: ["report", "monthly", payments(t), "--save-figures", t / NOWHERE],
        2,
        ["--save-figures", "does not exist"],
    ),
    (
        "report-offer-not-budget",
        "report offer on a table that is not a budget",
        lambda t: ["report", "offer", REF / "staff.csv", "-o", t / "x.xlsx"],
        1,
        ["staff.csv"],
    ),
]


def _no_end_date(t):
    import polars as pl

    p = pl.read_parquet(payments(t))
    out = t / "noend.parquet"
    p.with_columns(service_to=pl.when(pl.int_range(pl.len()) == 1).then(None).otherwise(pl.col("service_to"))).write_parquet(out)
    return out


def _year_one(t):
    import datetime as dt

    import polars as pl

    p = pl.read_parquet(payments(t))
    out = t / "y1.parquet"
    p.with_columns(service_from=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(dt.date(1, 1, 1))).otherwise(pl.col("service_from"))).write_parquet(out)
    return out


def _xlsx(t, header, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    p = t / "x.xlsx"
    wb.save(p)
    return p


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_cpr_number_in_settings_text_file_names_headers_and_sheet_names_reaches_no_output(run, tmp_path):
    """Settings text (a structure's and a rules file's name, a category, a tier), an input's file
    name, a column header and a sheet name given as an option are text that enters too."""
    import re
    import zipfile

    cpr = "010170-1234"
    levels = w(
        tmp_path,
        "levels.toml",
        LEVELS.replace('name = "Eksempel Kommune 2026"', f'name = "Eksempel {cpr}"').replace('ledsagelse = ["ledsag"]', f'"ledsag {cpr}" = ["ledsag"]'),
    )
    rules = w(tmp_path, "r.toml", (SAMPLE / "takstregler.toml").read_text(encoding="utf-8").replace('name = "', f'name = "{cpr} ', 1))
    tiers = w(tmp_path, "b.toml", f"[[tiers]]\nname = 'sagsbehandler {cpr}'\nup_to = 100000\n[[tiers]]\nname = 'leder'\n")
    named = tmp_path / f"udtraek-{cpr}.csv"
    named.write_text("\n".join([HEADER, dss_line(cpr=CPR)]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    steps = [
        ("import-dss", named, "-o", out / "p.parquet", "--rejects", out / "rj.parquet"),
        (
            "reassign",
            w(tmp_path, "s.csv", f"{SCHED_H}\n" + SCHED_LINE.replace("Morgen", "Ledsagelse") + "\n"),
            "--structure",
            levels,
            "--service-levels",
            out / "sl.xlsx",
            "-o",
            out / "r.parquet",
        ),
        (
            "tariff-build",
            "--structure",
            levels,
            "--costs",
            REF / "costs.csv",
            "--haap",
            REF / "expected-haap.csv",
            "--year",
            "2024",
            "--rules",
            rules,
            "-o",
            out / "t.parquet",
            "--card",
            out / "card.toml",
        ),
        ("portfolio", out / "p.parquet", "--quarter", "2025Q1", "--tiers", tiers, "-o", out / "pf.parquet", "--xlsx", out / "pf.xlsx"),
        ("export", w(tmp_path, "h.csv", f"Note {cpr};b\n1;2\n"), "-o", out / "h.xlsx", "--sheet", cpr),
        ("show", w(tmp_path, "h2.csv", f"Note {cpr};b\n1;2\n"), "--format", "csv"),
    ]
    seen = ""
    for args in steps:
        r = run(*args)
        assert r.exit_code == 0, (args[0], r.stderr)
        seen += r.stdout + r.stderr
    for f in out.iterdir():
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                seen += " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            seen += f.read_bytes().decode("utf-8", "replace")
    assert "Ledsagelse" in seen or "ledsag" in seen  # the text around it is kept
    for d in (cpr, CPR):
        assert not re.search(re.escape(d[:6]) + r"[- ]?" + re.escape(d[7:]), seen), d


def test_writing_to_a_device_writes_into_it(run, tmp_path):
    """-o /dev/null is a way to check a run without keeping it: the device stays a device."""
    import stat

    r = run(
        "tariff-build",
        "--structure",
        REF / "levels.toml",
        "--costs",
        REF / "costs.csv",
        "--haap",
        REF / "expected-haap.csv",
        "--year",
        "2024",
        "-o",
        "/dev/null",
    )
    assert r.exit_code == 0, r.stderr
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_the_corpus_with_the_bad_inputs_file_has_at_least_150_cases():
    from test_bad_inputs import CASES as BAD

    assert len(CASES) + len(BAD) >= 150, len(CASES) + len(BAD)
    assert len({c[0] for c in CASES} | {c[0] for c in BAD}) == len(CASES) + len(BAD)


@pytest.mark.parametrize("case_id,promise,build,code,expected", CASES, ids=[c[0] for c in CASES])
def test_hostile(run, tmp_path, case_id, promise, build, code, expected):
    args = [str(a) for a in build(tmp_path)]
    if "-o" not in args and args[0] not in ("show", "validate", "schema", "sample") and "--template" not in args:
        args += ["-o", str(tmp_path / "out.parquet")]
    before = _digest(tmp_path)
    r = run(*args)
    assert r.exit_code == code, (promise, r.exit_code, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, (promise, r.stderr)
    for frag in expected:
        assert frag in r.stderr, (promise, frag, r.stderr)
    golden("hostile", case_id, r.stderr, tmp_path)  # and the whole message, word for word
    after = _digest(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before, "an input changed"
    assert set(after) == set(before), ("something was written", set(after) - set(before))
    assert len(r.stderr) < 2000, "a message longer than a screen"
    digits = CPR.replace("-", "")
    blob = r.stdout + r.stderr
    assert CPR not in blob and digits not in blob and "010170-1234" not in blob and "0101701234" not in blob


@pytest.mark.parametrize(
    "change, column",
    [
        ("kind", "kind"),  # a value the contract does not allow
        ("level", "level"),  # below the minimum
        ("offer_id", "offer_id"),  # a missing value where one is required
        ("service_to", "service_to"),  # a date in year 1
        ("blank", "offer_id"),  # text with blanks around it
    ],
)
def test_a_typed_table_that_breaks_a_rule_is_still_caught(tmp_path, change, column):
    """conform's one-pass check of an already-typed table (tariffkit's own Parquet) must catch
    what the row-by-row check catches, and then name the row as that does."""
    import datetime as dt

    import polars as pl

    from tariffkit.contracts import PAYMENTS, conform
    from tariffkit.errors import DataError

    df = pl.read_parquet(payments(tmp_path))
    assert conform(df, PAYMENTS, file="p.parquet", check_key=False).equals(df.select(PAYMENTS.names))  # a good table passes unchanged
    first = pl.int_range(pl.len()) == 1
    bad = {
        "kind": df.with_columns(kind=pl.when(first).then(pl.lit("maybe")).otherwise("kind")),
        "level": df.with_columns(level=pl.when(first).then(pl.lit(0, pl.Int16)).otherwise("level")),
        "offer_id": df.with_columns(offer_id=pl.when(first).then(pl.lit(None, pl.String)).otherwise("offer_id")),
        "service_to": df.with_columns(service_to=pl.when(first).then(pl.lit(dt.date(1, 1, 1))).otherwise("service_to")),
        "blank": df.with_columns(offer_id=pl.when(first).then(pl.lit(" T1 ")).otherwise("offer_id")),
    }[change]
    if change == "blank":  # not an error: the row-by-row path strips it, as it does for a CSV
        assert conform(bad, PAYMENTS, file="p.parquet", check_key=False)["offer_id"][1] == "T1"
        return
    with pytest.raises(DataError) as e:
        conform(bad, PAYMENTS, file="p.parquet", check_key=False)
    assert e.value.row == 2 and e.value.column == column
