"""import-dss: parsing rules, validation, rejects, pseudonymisation, reconciliation, append."""

import json
from decimal import Decimal

import polars as pl
import pytest
from conftest import SAMPLE, cpr_patterns, dss_line, write_dss


def imp(run, tmp_path, *files, extra=()):
    out = tmp_path / "p.parquet"
    r = run("import-dss", *files, "-o", out, *extra)
    return r, out


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1.234.567,89", "1234567.89"),
        ("-1.234,00", "-1234.00"),
        ("1.234,00-", "-1234.00"),
        ("12", "12.00"),
        ("0,5", "0.50"),
    ],
)
def test_danish_amounts(run, tmp_path, text, expected):
    f = write_dss(tmp_path / "x.csv", [dss_line(amount=text)])
    r, out = imp(run, tmp_path, f)
    assert r.exit_code == 0, r.output
    assert str(pl.read_parquet(out)["amount"][0]) == expected


@pytest.mark.parametrize("frm", ["01-01-2025", "01.01.2025", "2025-01-01"])
def test_date_formats(run, tmp_path, frm):
    f = write_dss(tmp_path / "x.csv", [dss_line(frm=frm)])
    r, out = imp(run, tmp_path, f)
    assert r.exit_code == 0, r.output
    assert str(pl.read_parquet(out)["service_from"][0]) == "2025-01-01"


@pytest.mark.parametrize(
    "raw,norm", [("§ 108", "SEL 108"), ("SEL §108", "SEL 108"), ("Servicelovens § 108", "SEL 108"), ("ABL § 105", "ABL 105"), ("SEL § 85", "SEL 85")]
)
def test_paragraphs_normalised(run, tmp_path, raw, norm):
    f = write_dss(tmp_path / "x.csv", [dss_line(paragraph=raw)])
    r, out = imp(run, tmp_path, f)
    assert pl.read_parquet(out)["paragraph"][0] == norm


def test_function_from_account_string(run, tmp_path):
    f = write_dss(tmp_path / "x.csv", [dss_line(function="5385000012")])
    r, out = imp(run, tmp_path, f)
    assert pl.read_parquet(out)["function"][0] == "5.38.50"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_encodings(run, tmp_path, encoding):
    f = write_dss(tmp_path / "x.csv", [dss_line(offer_name="Lærkehøj Åbo", provider="Intern")], encoding=encoding)
    r, out = imp(run, tmp_path, f)
    assert r.exit_code == 0, r.output
    assert pl.read_parquet(out)["offer_name"][0] == "Lærkehøj Åbo"


def test_quoted_separator_blank_lines_trailing_separator_crlf(run, tmp_path):
    lines = [dss_line(offer_name='"Egebo; afd. 2"') + ";", "", dss_line(case="S2") + ";"]
    f = write_dss(tmp_path / "x.csv", lines, newline="\r\n")
    r, out = imp(run, tmp_path, f)
    assert r.exit_code == 0, r.output
    df = pl.read_parquet(out)
    assert df["offer_name"][0] == "Egebo; afd. 2"
    assert df["source_row"].to_list() == [2, 4], "row numbers point at the real lines"


def test_xlsx_with_excel_serial_dates(run, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "CPR-nr.",
            "Navn",
            "Sagsnr.",
            "Sagsbehandler",
            "Tilbudsnr.",
            "Tilbud",
            "Leverandørtype",
            "Paragraf",
            "Funktion",
            "Funktionsniveau",
            "Periode fra",
            "Periode til",
            "Beløb",
            "Type",
        ]
    )
    ws.append(["700101-1234", "X", "S1", "M", "T1", "Egebo", "Intern", "§ 108", "5.38.50", 3, 45658, 45688, 31000.5, "Forbrug"])
    wb.save(tmp_path / "x.xlsx")
    r, out = imp(run, tmp_path, tmp_path / "x.xlsx")
    assert r.exit_code == 0, r.output
    row = pl.read_parquet(out).row(0, named=True)
    assert str(row["service_from"]) == "2025-01-01" and str(row["service_to"]) == "2025-01-31"
    assert str(row["amount"]) == "31000.50" and row["source_row"] == 2


@pytest.mark.parametrize(
    "field,value,column,expect",
    [
        ("amount", "12,3,4", "Beløb", "expected an amount"),
        ("amount", "", "Beløb", "empty value"),
        ("amount", "1,005", "Beløb", "at most 2 decimals"),
        ("cpr", "12345", "CPR-nr.", "10 digits"),
        ("cpr", "991301-1234", "CPR-nr.", "valid date part"),
        ("to", "01-12-2024", "Periode til", "on or after"),
        ("frm", "32-01-2025", "Periode fra", "expected a date"),
        ("level", "7", "Funktionsniveau", "function level 1–5"),
        ("provider", "Privat", "Leverandørtype", "expected one of Intern, Ekstern"),
        ("kind", "Budget", "Type", "expected one of Forbrug, Disposition"),
        ("paragraph", "", "Paragraf", "empty value"),
    ],
)
def test_validation_rules_fail_with_file_row_column(run, tmp_path, field, value, column, expect):
    f = write_dss(tmp_path / "x.csv", [dss_line(), dss_line(**{field: value})])
    r, out = imp(run, tmp_path, f)
    assert r.exit_code == 1
    assert f"x.csv, row 3, column {column}" in r.output and expect in r.output
    assert not out.exists(), "no output on failure"
    assert "Traceback" not in r.output


def test_replacement_cpr_numbers_are_accepted(run, tmp_path):
    f = write_dss(tmp_path / "x.csv", [dss_line(cpr="7101011234"), dss_line(cpr="910101-1234")])
    r, _ = imp(run, tmp_path, f)
    assert r.exit_code == 0, r.output


def test_reject_mode_reconciles_to_the_ore_and_masks_cpr(run, tmp_path):
    f = write_dss(
        tmp_path / "x.csv",
        [dss_line(amount="100,10"), dss_line(cpr="991301-1234", amount="200,20"), dss_line(amount="xyz"), dss_line(level="9", amount="-50,05")],
    )
    rj = tmp_path / "rejects.parquet"
    summary = tmp_path / "s.json"
    r, out = imp(run, tmp_path, f, extra=("--on-error", "reject", "--rejects", rj, "--summary-json", summary))
    assert r.exit_code == 0, r.output
    s = json.loads(summary.read_text())["files"][0]
    assert (s["rows_read"], s["rows_written"], s["rows_rejected"]) == (4, 1, 3)
    assert s["amount_read"] == "250.25" and s["amount_written"] == "100.10" and s["amount_rejected"] == "150.15"
    assert s["rejected_without_readable_amount"] == 1
    rejects = pl.read_parquet(rj)
    assert rejects["cpr_masked"].to_list() == ["991301-****", "700101-****", "700101-****"]
    assert rejects["source_row"].to_list() == [3, 4, 5]
    assert "1234" not in rj.read_bytes().decode("latin-1").replace("-****", "")


def test_reject_mode_needs_a_rejects_file(run, tmp_path):
    f = write_dss(tmp_path / "x.csv", [dss_line()])
    r, _ = imp(run, tmp_path, f, extra=("--on-error", "reject"))
    assert r.exit_code == 2


def test_total_rows_skipped(run, tmp_path):
    f = write_dss(tmp_path / "x.csv", [dss_line(), "I alt;;;;;;;;;;;;31.000,00;"])
    r, out = imp(run, tmp_path, f)
    assert r.exit_code == 0 and "1 total rows skipped" in r.output
    assert pl.read_parquet(out).height == 1


def test_pseudonym_is_stable_across_files_and_keyed(run, tmp_path, monkeypatch):
    a = write_dss(tmp_path / "a.csv", [dss_line(cpr="700101-1234")])
    b = write_dss(tmp_path / "b.csv", [dss_line(cpr="7001011234", frm="01-02-2025", to="28-02-2025")])
    r, out = imp(run, tmp_path, a, b)
    ids = pl.read_parquet(out)["citizen_id"].to_list()
    assert ids[0] == ids[1] and len(ids[0]) == 16
    monkeypatch.setenv("TARIFFKIT_KEY", "another-key-0123456789")
    r2, out2 = imp(run, tmp_path / "..", a)
    assert pl.read_parquet(out2)["citizen_id"][0] != ids[0]


def test_no_key_is_refused_with_a_hint(run, tmp_path, monkeypatch):
    monkeypatch.delenv("TARIFFKIT_KEY")
    f = write_dss(tmp_path / "x.csv", [dss_line()])
    r, out = imp(run, tmp_path, f)
    assert r.exit_code == 2 and "--key-file" in r.output and not out.exists()


def test_key_file_readable_by_others_is_refused_with_the_fix(run, tmp_path, monkeypatch):
    monkeypatch.delenv("TARIFFKIT_KEY")
    key = tmp_path / "k.key"
    key.write_text("# comment\nsecret-secret-secret-1\n")
    f = write_dss(tmp_path / "x.csv", [dss_line()])
    for mode in (0o644, 0o640, 0o620):
        key.chmod(mode)
        r, out = imp(run, tmp_path, f, extra=("--key-file", key))
        assert r.exit_code == 2 and "readable by others" in r.output and f"chmod 600 {key}" in r.output and not out.exists()
    key.chmod(0o600)
    r, out = imp(run, tmp_path, f, extra=("--key-file", key))
    assert r.exit_code == 0 and out.exists()


def test_no_cpr_in_any_output_or_message(run, tmp_path):
    cprs = ["700101-1234", "7102021111", "991301-4321"]
    f = write_dss(tmp_path / "x.csv", [dss_line(cpr=cprs[0]), dss_line(cpr=cprs[1], amount="bad"), dss_line(cpr=cprs[2])])
    rj = tmp_path / "r.parquet"
    out = tmp_path / "p.parquet"
    r = run("--debug", "import-dss", f, "-o", out, "--on-error", "reject", "--rejects", rj)
    r_fail = run("--debug", "import-dss", f, "-o", tmp_path / "fail.parquet")
    assert r.exit_code == 0 and r_fail.exit_code == 1
    blobs = [r.output, r_fail.output, out.read_bytes().decode("latin-1"), rj.read_bytes().decode("latin-1")]
    for pat in cpr_patterns(cprs):
        for blob in blobs:
            assert pat not in blob


def test_duplicates_counted_kept_or_dropped(run, tmp_path):
    # Lines that differ only in a column outside the hashed duplicate key (case, caseworker,
    # offer name, provider, paragraph, function) are candidates, never duplicates.
    near = [
        dss_line(case="S2"),
        dss_line(cw="Jens"),
        dss_line(offer_name="Egebo II"),
        dss_line(provider="Ekstern"),
        dss_line(paragraph="SEL § 107"),
        dss_line(function="5.38.52"),
    ]
    f = write_dss(tmp_path / "x.csv", [dss_line(), dss_line(), *near])
    r, out = imp(run, tmp_path, f)
    assert "1 exact duplicates kept" in r.output and pl.read_parquet(out).height == 8
    r, out = imp(run, tmp_path, f, extra=("--duplicates", "drop"))
    assert "1 exact duplicates dropped" in r.output and pl.read_parquet(out).height == 7


def test_dropped_duplicates_are_in_the_reconciliation_to_the_ore(run, tmp_path):
    """What goes in equals what is written plus what was rejected plus the duplicates dropped:
    31,000.00 kr read three times, one copy dropped (31,000.00 kr), 62,000.00 kr written."""
    import json

    f = write_dss(tmp_path / "x.csv", [dss_line(), dss_line(), dss_line(amount="1.000,50")])
    summary = tmp_path / "s.json"
    r, out = imp(run, tmp_path, f, extra=("--duplicates", "drop", "--summary-json", summary))
    assert r.exit_code == 0, r.output
    d = json.loads(summary.read_text())["files"][0]
    assert d["amount_read"] == "63000.50" and d["amount_written"] == "32000.50" and d["amount_duplicates_dropped"] == "31000.00"
    assert {k: v for k, v in d.items() if k != "file"} == {
        "rows_read": 3,
        "rows_written": 2,
        "rows_rejected": 0,
        "rows_skipped": 0,
        "duplicates": 1,
        "duplicates_dropped": 1,
        "amount_read": "63000.50",
        "amount_written": "32000.50",
        "amount_rejected": "0.00",
        "amount_duplicates_dropped": "31000.00",
        "rejected_without_readable_amount": 0,
        "extract_date": "2025-01-31",
        "extract_date_source": d["extract_date_source"],
        "already_present": 0,
        "commitments_cut": 0,
    }
    assert "read 63.000,50 = written 32.000,50 + rejected 0,00 + duplicates dropped 31.000,00" in r.output


@pytest.mark.parametrize("part_rows", [10**9, 1])
def test_a_large_extract_finds_its_duplicates_after_the_pass(run, tmp_path, monkeypatch, part_rows):
    """An extract over LARGE_BYTES keeps no content hashes during the pass (bounded memory, issue
    30); they are found in parts from the file written, with the same outcome: 1 duplicate of 3
    identical lines… and near-duplicates never merged."""
    import tariffkit.dss.extracts as ex
    import tariffkit.dss.plan as plan

    monkeypatch.setattr(ex, "LARGE_BYTES", 0)
    monkeypatch.setattr(plan, "HASH_PART_ROWS", part_rows)
    seen = []
    real = plan._candidates_after
    monkeypatch.setattr(plan, "_candidates_after", lambda rb, rows: seen.append(rows) or real(rb, rows))
    f = write_dss(tmp_path / "x.csv", [dss_line(), dss_line(), dss_line(), dss_line(case="S2"), dss_line(frm="01-02-2025", to="28-02-2025")])
    r, out = imp(run, tmp_path, f)
    assert seen == [5] and "2 exact duplicates kept" in r.output and pl.read_parquet(out).height == 5
    r, out = imp(run, tmp_path, f, extra=("--duplicates", "drop"))
    assert "2 exact duplicates dropped" in r.output and pl.read_parquet(out).height == 3


def test_append_is_idempotent(run, tmp_path):
    jan = write_dss(tmp_path / "jan.csv", [dss_line(), dss_line()])
    feb = write_dss(tmp_path / "feb.csv", [dss_line(), dss_line(), dss_line(frm="01-02-2025", to="28-02-2025")])
    out = tmp_path / "p.parquet"
    assert run("import-dss", jan, "-o", out, "--append").exit_code == 0
    assert run("import-dss", jan, "-o", out, "--append").exit_code == 0
    assert pl.read_parquet(out).height == 2, "the same file imported again adds nothing"
    r = run("import-dss", feb, "-o", out, "--append")
    assert r.exit_code == 0 and "2 already in the history" in r.output
    assert pl.read_parquet(out).height == 3


def test_mapping_for_another_layout(run, tmp_path):
    m = tmp_path / "m.toml"
    r = run("import-dss", "--init-mapping")
    assert r.exit_code == 0 and "[columns]" in r.output
    text = r.output.replace('amount = "Beløb"', 'amount = "Udgift"').replace("skip_rows_starting_with = [", 'skip_rows_starting_with = [ "Sum",')
    m.write_text(text, encoding="utf-8")
    from conftest import HEADER

    f = tmp_path / "x.csv"
    f.write_text(HEADER.replace("Beløb", "Udgift") + "\n" + dss_line() + "\nSum;;;;;;;;;;;;1;\n", encoding="utf-8")
    r, out = imp(run, tmp_path, f, extra=("--mapping", m))
    assert r.exit_code == 0, r.output
    assert pl.read_parquet(out).height == 1


def test_mapping_errors(run, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text('[columns]\ncpr = "CPR"\nfoo = "x"\n')
    f = write_dss(tmp_path / "x.csv", [dss_line()])
    r, _ = imp(run, tmp_path, f, extra=("--mapping", m))
    assert r.exit_code == 1 and "unknown field 'foo'" in r.output
    m.write_text('[columns]\namount = ""\n')
    r, _ = imp(run, tmp_path, f, extra=("--mapping", m))
    assert r.exit_code == 1 and "required field 'amount'" in r.output
    m.write_text('[columns]\namount = "Beløb i kr"\n')  # [columns] changes only what it names
    r, _ = imp(run, tmp_path, f, extra=("--mapping", m))
    assert r.exit_code == 1 and "no column 'Beløb i kr' (mapped to field amount)" in r.output
    from tariffkit.dss import Mapping

    d = Mapping().to_dict()
    d["columns"]["amount"] = "Udgift"
    import tomli_w

    m.write_text(tomli_w.dumps(d))
    r, _ = imp(run, tmp_path, f, extra=("--mapping", m))
    assert r.exit_code == 1 and "no column 'Udgift'" in r.output and "row 1" in r.output


def test_empty_and_header_only_files(run, tmp_path):
    e = tmp_path / "e.csv"
    e.write_bytes(b"")
    r, out = imp(run, tmp_path, e)
    assert r.exit_code == 1 and "empty" in r.output and not out.exists()
    h = write_dss(tmp_path / "h.csv", [])
    r, out = imp(run, tmp_path, h)
    assert r.exit_code == 1 and "no data rows" in r.stderr and not out.exists()  # an empty month is a failed export


def test_sample_extract_imports_and_reconciles(run, tmp_path):
    summary = tmp_path / "s.json"
    r, out = imp(run, tmp_path, SAMPLE / "dss-udtraek-2026-09.csv", extra=("--summary-json", summary))
    assert r.exit_code == 0
    s = json.loads(summary.read_text())["files"][0]
    assert s["rows_read"] == s["rows_written"] and s["amount_read"] == s["amount_written"]
    df = pl.read_parquet(out)
    total = (df["amount"] * 100).cast(pl.Int64).sum()
    assert f"{total / 100:.2f}" == s["amount_read"]


def test_distinct_parser_keeps_each_value_s_result_across_batches():
    """The streaming import parses each distinct value once and maps it back by a categorical
    code; a value must get its own result in every batch (a lost code mapping once gave a later
    batch the results of an earlier one)."""
    from tariffkit.dss.plan import _Distinct

    d = _Distinct(lambda v: v.str.to_uppercase(), pl.String)
    batches = [["a", "b", None, "a"], ["c", "b", "d"], ["d", "e", "a"], []]
    assert [d(pl.Series(b, dtype=pl.String)).to_list() for b in batches] == [["A", "B", None, "A"], ["C", "B", "D"], ["D", "E", "A"], []]


def test_streamed_and_in_memory_imports_agree(run, tmp_path):
    """A UTF-8 file is streamed; a Windows-1252 file is decoded in memory. The same extract
    (about 40,000 lines, so many batches) must give the same payments either way."""
    r = run("sample", "--out", tmp_path / "s", "--citizens", "2000")
    assert r.exit_code == 0, r.output
    utf8 = tmp_path / "s" / "dss-udtraek-2026-09.csv"
    latin = tmp_path / "latin.csv"
    latin.write_bytes(utf8.read_text(encoding="utf-8-sig").encode("cp1252"))
    out_a, out_b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert run("import-dss", utf8, "-o", out_a).exit_code == 0
    assert run("import-dss", latin, "-o", out_b).exit_code == 0
    a, b = pl.read_parquet(out_a), pl.read_parquet(out_b)
    assert a.height > 30_000
    assert a.drop("source_file").equals(b.drop("source_file"))
    # every citizen keeps one pseudonym: as many ids as distinct CPR numbers in the file
    raw = pl.read_csv(utf8, separator=";", infer_schema=False)
    assert a["citizen_id"].n_unique() == raw["CPR-nr."].n_unique()


def _raw_lines(levels):
    head = "CPR-nr.;Navn;Sagsnr.;Sagsbehandler;Tilbudsnr.;Tilbud;Leverandørtype;Paragraf;Funktion;Funktionsniveau;Periode fra;Periode til;Beløb;Type"
    body = [f"010190-1234;A;S1;B;T1;Tilbud;Intern;SEL § 108;5.38.50;{lv};01-0{i + 1}-2026;28-0{i + 1}-2026;1.000,50;Forbrug" for i, lv in enumerate(levels)]
    from tariffkit.io.reading import read_csv_text

    return read_csv_text("\n".join([head, *body]).encode(), "u.csv")[0]  # text columns and each line's number


def test_one_extract_in_memory_as_a_notebook_imports_it():
    """import_frame (docs/api.md): every line is a payment or a reject; a fractional function
    level (3,5) is refused naming the column and the value, an empty level is no level; no CPR
    number in what comes out."""
    from tariffkit.dss.mapping import Mapping
    from tariffkit.dss.plan import import_frame

    res = import_frame(_raw_lines(["3", "3,5", "", "4"]), file="u.csv", mapping=Mapping(), key=b"k" * 32, on_error="skip")
    assert res.payments is not None and res.payments.height == 3
    assert sorted(res.payments["level"].to_list(), key=lambda v: (v is None, v)) == [3, 4, None]
    rej = res.rejects
    assert rej is not None and rej.height == 1
    row = rej.row(0, named=True)
    assert "Funktionsniveau" in str(row.values()) and "expected a whole function level, found '3,5'" in str(row.values())
    out = str(res.payments.to_dicts()) + str(rej.to_dicts())
    assert "010190-1234" not in out and "1234" not in out  # a reject shows the birth date, masked: 010190-****


@pytest.mark.parametrize(
    "key, value, expected", [("header_row", "2", "header_row must be a whole number, found '2'"), ("separator", 1, "separator must be text, found 1")]
)
def test_a_mapping_setting_of_the_wrong_kind_says_what_it_must_be(key, value, expected):
    from tariffkit.dss.mapping import Mapping
    from tariffkit.errors import DataError

    with pytest.raises(DataError) as e:
        Mapping.from_dict({key: value}, "m.toml")
    assert e.value.message == expected and (e.value.file, e.value.column) == ("m.toml", key)


def test_a_reject_never_quotes_a_cpr_shaped_value():
    """A CPR number pasted into the amount column is refused without being quoted."""
    import datetime as dt

    from tariffkit.dss.mapping import Mapping
    from tariffkit.dss.plan import import_frame
    from tariffkit.io.reading import read_csv_text

    head = "CPR-nr.;Navn;Sagsnr.;Sagsbehandler;Tilbudsnr.;Tilbud;Leverandørtype;Paragraf;Funktion;Funktionsniveau;Periode fra;Periode til;Beløb;Type"
    line = "010190-1234;A;S1;B;T1;Tilbud;Intern;SEL § 108;5.38.50;3;01-01-2026;31-01-2026;020290-5678;Forbrug"
    res = import_frame(
        read_csv_text(f"{head}\n{line}".encode(), "u.csv")[0],
        file="u.csv",
        mapping=Mapping(),
        key=b"k" * 32,
        on_error="skip",
        extract_date=dt.date(2026, 1, 31),
    )
    (reason,) = [v for v in res.rejects.row(0) if isinstance(v, str) and "expected" in v]
    assert "(CPR-shaped value, not shown)" in reason and "5678" not in str(res.rejects.to_dicts())


def test_a_malformed_csv_and_an_extract_without_actual_lines_are_named(run, tmp_path):
    """A quote never closed: the file is named and polars' one-line reason given, no traceback.
    Only commitments and no extract date given: the import cannot date the extract and says so."""
    f = write_dss(tmp_path / "q.csv", [dss_line(), dss_line(name='"Test')])
    r, _ = imp(run, tmp_path, f)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "q.csv: not a well-formed CSV file (could not parse" in r.output and r.output.rstrip().endswith(")")
    f = write_dss(tmp_path / "c.csv", [dss_line(kind="Disposition")])
    r, _ = imp(run, tmp_path, f)
    assert r.exit_code == 1
    assert "c.csv: cannot tell the extract date: the file has no actual lines; give the extract date" in r.output


def test_a_file_in_two_encodings_is_named_at_the_line_where_the_second_begins(run, tmp_path):
    """A UTF-8 extract with one line pasted in from a Windows-1252 file: decoding it all as
    Windows-1252 would turn the header's ø into Ã¸ and report columns as missing; the error
    names the line instead. A file wholly in Windows-1252 is still read."""
    f = tmp_path / "mixed.csv"
    f.write_bytes(
        write_dss(tmp_path / "u.csv", [dss_line(), dss_line(case="S2")], encoding="utf-8").read_bytes() + (dss_line(name="Ærø") + "\n").encode("cp1252")
    )
    r, out = imp(run, tmp_path, f)
    assert r.exit_code == 1 and not out.exists()
    assert "mixed.csv, row 4: the file mixes two encodings: UTF-8 letters before line 4, then a byte (0xC6) that is not UTF-8 there" in r.output
    r, _ = imp(run, tmp_path, write_dss(tmp_path / "w.csv", [dss_line(name="Ærø")], encoding="cp1252"))
    assert r.exit_code == 0, r.output


def test_an_output_that_is_not_a_payments_history_is_not_overwritten_unasked(run, tmp_path):
    """-o names a file that exists and is no history (a note, a CSV): the import refuses and
    leaves it as it was, unless told to replace it."""
    out = tmp_path / "p.parquet"
    out.write_text("not a history", encoding="utf-8")
    f = write_dss(tmp_path / "x.csv", [dss_line()])
    r = run("import-dss", f, "-o", out)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "p.parquet exists and is not a payments history of this version; to overwrite it, say so with --replace" in r.output
    assert out.read_text(encoding="utf-8") == "not a history"
    assert run("import-dss", f, "-o", out, "--replace").exit_code == 0 and pl.read_parquet(out).height == 1


def test_an_extract_date_column_with_a_blank_is_named(run, tmp_path):
    f = write_dss(tmp_path / "x.csv", [dss_line(), dss_line(case="S2")], encoding="utf-8")
    text = f.read_text(encoding="utf-8").splitlines()
    g = tmp_path / "g.csv"
    g.write_text("\n".join([text[0] + ";Udtræksdato", text[1] + ";30-09-2026", text[2] + ";"]) + "\n", encoding="utf-8")
    m = tmp_path / "m.toml"
    m.write_text('[columns]\nextract_date = "Udtræksdato"\n', encoding="utf-8")
    r, _ = imp(run, tmp_path, g, extra=("--mapping", m))
    assert r.exit_code == 1
    assert "g.csv, column Udtræksdato: expected the extract date (a date like 31-12-2025) on every line, found empty or unreadable values" in r.output


def test_bad_rows_are_counted_and_total_rows_are_rejected_when_nothing_is_skipped(run, tmp_path):
    """Two bad amounts: the first is named and both counted; with skip_rows_starting_with = []
    a total row (I alt …) is a bad row like any other, not skipped."""
    f = write_dss(tmp_path / "x.csv", [dss_line(amount="x"), dss_line(case="S2", amount="y"), dss_line(case="S3")])
    r, _ = imp(run, tmp_path, f)
    assert r.exit_code == 1 and "(2 bad rows in all; --on-error reject imports the good ones)" in r.output
    total = write_dss(tmp_path / "t.csv", [dss_line(), "I alt;;;;;;;;;;;;31.000,00;"])
    r, _ = imp(run, tmp_path, total)
    assert r.exit_code == 0 and "1 total rows skipped" in r.output
    m = tmp_path / "m.toml"
    m.write_text("skip_rows_starting_with = []\n", encoding="utf-8")
    r, _ = imp(run, tmp_path, total, extra=("--mapping", m))
    assert r.exit_code == 1 and "t.csv, row 3" in r.output


def test_duplicates_dropped_from_a_file_read_in_memory(run, tmp_path):
    """A Windows-1252 extract (decoded in memory, not streamed) with a line twice: one copy dropped."""
    f = write_dss(tmp_path / "w.csv", [dss_line(name="Ærø"), dss_line(name="Ærø"), dss_line(case="S2")], encoding="cp1252")
    r, out = imp(run, tmp_path, f, extra=("--duplicates", "drop"))
    assert r.exit_code == 0, r.output
    assert "1 exact duplicates dropped" in r.output and pl.read_parquet(out).height == 2


def test_an_english_number_format_and_an_empty_provider_map(run, tmp_path):
    """decimal "." and thousands ",": 1,000.50 is 1000.50 kr. An empty provider map: the
    provider is read as tariffkit's own words, and the message lists those."""
    f = write_dss(tmp_path / "x.csv", [dss_line(amount="1,000.50"), dss_line(case="S2", amount="-2,000.25")])
    m = tmp_path / "en.toml"
    m.write_text('decimal = "."\nthousands = ","\n', encoding="utf-8")
    r, out = imp(run, tmp_path, f, extra=("--mapping", m))
    assert r.exit_code == 0, r.output
    assert sorted(pl.read_parquet(out)["amount"].to_list()) == [Decimal("-2000.25"), Decimal("1000.50")]
    m.write_text("[value_maps.provider]\n", encoding="utf-8")
    r, _ = imp(run, tmp_path, write_dss(tmp_path / "y.csv", [dss_line()]), extra=("--mapping", m))
    assert r.exit_code == 1 and "column Leverandørtype: expected one of internal, external, found 'Intern'" in r.output


@pytest.mark.parametrize(
    "frm, to, bad",
    [
        ("01-01-1980", "31-01-1980", None),
        ("01-12-2100", "31-12-2100", None),
        ("31-12-1979", "31-01-1980", "Periode fra"),
        ("01-12-2100", "01-01-2101", "Periode til"),
    ],
)
def test_service_dates_from_1980_to_2100_are_read_and_others_refused(run, tmp_path, frm, to, bad):
    r, out = imp(run, tmp_path, write_dss(tmp_path / "x.csv", [dss_line(frm=frm, to=to)]))
    if bad is None:
        assert r.exit_code == 0, r.output
    else:
        assert r.exit_code == 1 and f"x.csv, row 2, column {bad}: expected a date between 1980 and 2100, found" in r.output


def test_an_import_of_no_extract_is_a_usage_error(tmp_path):
    from tariffkit.dss.extracts import import_extracts
    from tariffkit.errors import UsageError

    with pytest.raises(UsageError) as e:
        import_extracts([], str(tmp_path / "p.parquet"), b"k" * 32)
    assert str(e.value) == "no extract given"
