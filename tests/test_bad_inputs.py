"""The bad-input corpus: every case exits 1 with a message naming the file (and row and column
where there is one), writes no output and shows no traceback."""

from pathlib import Path

import pytest
from conftest import HEADER, SAMPLE, dss_line, golden

REF = SAMPLE / "reference"
STAFF_H = "offer_id;year;category;fte;cost_per_fte;gives_ata"
COSTS_H = "offer_id;year;basis;line;label;group;follows_ata;amount"
SCHED_H = "CPR-nr.;Tilbudsnr.;Aktivitetsnr.;Beskrivelse;Paragraf;Starttidspunkt;Minutter;Hyppighed;Normering;Vurderede minutter;Bemærkning"
LEVELS_OK = (SAMPLE / "levels.toml").read_text(encoding="utf-8")


def w(tmp: Path, name: str, text: str | bytes, encoding="utf-8") -> Path:
    p = tmp / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return p


def dss(tmp, *lines, name="d.csv"):
    return w(tmp, name, "\n".join([HEADER, *lines]) + "\n")


def imp(f):
    return ["import-dss", f]


def haap(f):
    return ["compute-haap", f, "--year", "2025"]


def ata(staff):
    return ["price-ata", staff, "--assumptions", SAMPLE / "ata-assumptions.toml"]


def tb(tmp, structure=None, costs=None, haap_file=None):
    return [
        "tariff-build",
        "--structure",
        structure or w(tmp, "l.toml", LEVELS_OK),
        "--costs",
        costs or REF / "costs.csv",
        "--haap",
        haap_file or REF / "expected-haap.csv",
        "--year",
        "2024",
    ]


def ra(tmp, sched):
    return ["reassign", sched, "--structure", SAMPLE / "levels.toml", "--tariffs", REF / "tariffs.csv"]


def bf(tmp, **over):
    args = {"--costs": REF / "costs.csv", "--tariffs": REF / "tariffs.csv", "--haap": REF / "forecast-haap.csv", "--staff": REF / "staff.csv"}
    args.update(over)
    out = ["budget-forecast", "--year", "2024"]
    for k, v in args.items():
        out += [k, v]
    return out


# (id, builder(tmp) -> args, expected fragments in stderr)
CASES = [
    # import-dss
    ("dss-empty-file", lambda t: imp(w(t, "e.csv", "")), ["e.csv", "empty"]),
    ("dss-header-only", lambda t: imp(dss(t)), ["d.csv", "no data rows"]),
    ("dss-missing-column", lambda t: imp(w(t, "m.csv", HEADER.replace(";Beløb", "") + "\n")), ["m.csv", "Beløb"]),
    ("dss-bad-amount", lambda t: imp(dss(t, dss_line(amount="12,3,4"))), ["d.csv, row 2, column Beløb"]),
    ("dss-empty-amount", lambda t: imp(dss(t, dss_line(amount=""))), ["d.csv, row 2, column Beløb"]),
    ("dss-bad-date", lambda t: imp(dss(t, dss_line(frm="31-02-2025"))), ["d.csv, row 2, column Periode fra"]),
    ("dss-date-order", lambda t: imp(dss(t, dss_line(frm="31-03-2025", to="01-03-2025"))), ["d.csv, row 2"]),
    ("dss-date-out-of-range", lambda t: imp(dss(t, dss_line(frm="01-01-1850", to="31-01-1850"))), ["d.csv, row 2"]),
    ("dss-bad-cpr", lambda t: imp(dss(t, dss_line(cpr="12345"))), ["d.csv, row 2, column CPR-nr."]),
    ("dss-bad-level", lambda t: imp(dss(t, dss_line(level="9"))), ["d.csv, row 2, column Funktionsniveau"]),
    ("dss-bad-kind", lambda t: imp(dss(t, dss_line(kind="Måske"))), ["d.csv, row 2, column Type"]),
    ("dss-bad-paragraph", lambda t: imp(dss(t, dss_line(paragraph="ukendt"))), ["d.csv, row 2, column Paragraf"]),
    (
        "dss-excel-named-csv",
        lambda t: imp(w(t, "x.csv", (SAMPLE.parent / "tests" / "__init__.py").read_bytes() if False else b"PK\x03\x04garbage")),
        ["x.csv", "Excel"],
    ),
    ("dss-broken-xlsx", lambda t: imp(w(t, "x.xlsx", b"PK\x03\x04not really a zip")), ["x.xlsx"]),
    ("dss-parquet-named-csv", lambda t: imp(w(t, "p.csv", b"PAR1\x00\x00")), ["p.csv", "parquet"]),
    ("dss-bad-utf8-bom", lambda t: imp(w(t, "b.csv", b"\xef\xbb\xbf" + HEADER.encode() + b"\n\xff\xfe;x\n")), ["b.csv"]),
    ("dss-missing-file", lambda t: imp(t / "nope.csv"), ["nope.csv", "not found"]),
    # compute-haap
    ("haap-truncated-parquet", lambda t: haap(w(t, "p.parquet", b"PAR1" + b"\x00" * 50)), ["p.parquet", "truncated or corrupt"]),
    ("haap-not-parquet", lambda t: haap(w(t, "p.parquet", "a;b\n1;2\n")), ["p.parquet", "Parquet"]),
    ("haap-wrong-table", lambda t: haap(REF / "staff.csv"), ["staff.csv", "missing column"]),
    # price-ata
    ("ata-negative-fte", lambda t: ata(w(t, "s.csv", f"{STAFF_H}\nA;2024;trained;-1;487.000,00;ja\n")), ["s.csv, row 2, column fte"]),
    ("ata-bad-category", lambda t: ata(w(t, "s.csv", f"{STAFF_H}\nA;2024;chef;1;487.000,00;ja\n")), ["s.csv, row 2, column category"]),
    ("ata-bad-bool", lambda t: ata(w(t, "s.csv", f"{STAFF_H}\nA;2024;trained;1;487.000,00;måske\n")), ["s.csv, row 2, column gives_ata"]),
    ("ata-duplicated-key", lambda t: ata(w(t, "s.csv", f"{STAFF_H}\nA;2024;trained;1;1,00;ja\nA;2024;trained;2;1,00;ja\n")), ["s.csv, row", "duplicated key"]),
    ("ata-missing-column", lambda t: ata(w(t, "s.csv", "offer_id;year;category\nA;2024;trained\n")), ["s.csv", "missing column"]),
    ("ata-bad-assumptions", lambda t: ["price-ata", REF / "staff.csv", "--assumptions", w(t, "a.toml", "sickness_share = [")], ["a.toml", "TOML"]),
    ("ata-wrong-encoding", lambda t: ata(w(t, "s.csv", f"{STAFF_H}\nA;2024;trained;1;x;ja\n".encode("utf-16"))), ["s.csv"]),
    # tariff-build
    (
        "tb-overlapping-bands",
        lambda t: tb(t, structure=w(t, "o.toml", "[[levels]]\nlevel=1\nmin_hours=0\nmax_hours=10\n[[levels]]\nlevel=2\nmin_hours=9\nmax_hours=20\n")),
        ["o.toml", "overlap"],
    ),
    (
        "tb-gap-in-bands",
        lambda t: tb(t, structure=w(t, "g.toml", "[[levels]]\nlevel=1\nmin_hours=0\nmax_hours=9\n[[levels]]\nlevel=2\nmin_hours=10\nmax_hours=20\n")),
        ["g.toml", "gap"],
    ),
    ("tb-structure-not-utf8", lambda t: tb(t, structure=w(t, "l1.toml", "name = 'Æblehaven'\n", encoding="latin-1")), ["l1.toml", "not UTF-8"]),
    (
        "pf-tiers-not-toml",
        lambda t: ["portfolio", _payments(t), "--quarter", "2025Q3", "--tiers", w(t, "lim.toml", "[tiers\n")],
        ["lim.toml", "not valid TOML"],
    ),
    ("tb-no-levels", lambda t: tb(t, structure=w(t, "n.toml", "name='x'\n")), ["n.toml", "levels"]),
    ("tb-unknown-level", lambda t: tb(t, haap_file=w(t, "h.csv", "offer_id;level;haap\nA;7;3\n")), ["h.csv", "level 7"]),
    ("tb-negative-haap", lambda t: tb(t, haap_file=w(t, "h.csv", "offer_id;level;haap\nA;2;-3\n")), ["h.csv, row 2, column haap"]),
    ("tb-bad-cost-group", lambda t: tb(t, costs=w(t, "c.csv", f"{COSTS_H}\nA;2024;tariff_budget;x;x;mystery;ja;1,00\n")), ["c.csv, row 2, column group"]),
    ("tb-no-costs-for-year", lambda t: tb(t, costs=w(t, "c.csv", f"{COSTS_H}\nA;2020;tariff_budget;x;x;fixed_offer;nej;1,00\n")), ["c.csv", "2024"]),
    # reassign
    ("ra-negative-minutes", lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\n700101-1234;A;1;x;§ 85;07:00;-5;Hverdage;1:1;;\n")), ["s.csv, row 2, column Minutter"]),
    ("ra-bad-frequency", lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\n700101-1234;A;1;x;§ 85;07:00;5;Nogle gange;1:1;;\n")), ["s.csv, row 2, column Hyppighed"]),
    ("ra-bad-staffing", lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\n700101-1234;A;1;x;§ 85;07:00;5;Hverdage;mange;;\n")), ["s.csv, row 2, column Normering"]),
    ("ra-missing-column", lambda t: ra(t, w(t, "s.csv", "CPR-nr.;Tilbudsnr.;Minutter\n700101-1234;A;5\n")), ["s.csv", "Paragraf"]),
    ("ra-bad-cpr", lambda t: ra(t, w(t, "s.csv", f"{SCHED_H}\nabc;A;1;x;§ 85;07:00;5;Hverdage;1:1;;\n")), ["s.csv, row 2, column CPR-nr."]),
    ("ra-bad-xlsx", lambda t: ra(t, w(t, "s.xlsx", b"PK\x03\x04junk")), ["s.xlsx"]),
    # budget-forecast
    ("bf-level-without-tariff", lambda t: bf(t, **{"--haap": w(t, "h.csv", "offer_id;level;haap\nA;6;1\n")}), ["h.csv", "level 6"]),
    ("bf-negative-fte", lambda t: bf(t, **{"--staff": w(t, "s.csv", f"{STAFF_H}\nA;2024;trained;-3;487.000,00;ja\n")}), ["s.csv, row 2, column fte"]),
    (
        "bf-bad-tariff-amount",
        lambda t: bf(t, **{"--tariffs": w(t, "t.csv", (REF / "tariffs.csv").read_text(encoding="utf-8").replace("350000,00", "trehundrede"))}),
        ["t.csv, row 3, column annual_tariff"],
    ),
    # portfolio
    ("pf-truncated-parquet", lambda t: ["portfolio", w(t, "p.parquet", b"PAR1\x01\x02"), "--quarter", "2025Q3"], ["p.parquet", "truncated or corrupt"]),
    (
        "pf-bad-tiers",
        lambda t: [
            "portfolio",
            _payments(t),
            "--quarter",
            "2025Q3",
            "--tiers",
            w(t, "l.toml", "[[tiers]]\nname = 'a'\nup_to = 'many'\n[[tiers]]\nname = 'b'\n"),
        ],
        ["l.toml", "number"],
    ),
    # validate
    ("validate-bad-rows", lambda t: ["validate", "staff", w(t, "s.csv", f"{STAFF_H}\nA;2024;trained;x;1,00;ja\n")], ["s.csv", "row 2, column fte"]),
]


def _payments(tmp):
    from conftest import write_dss

    f = write_dss(tmp / "in.csv", [dss_line()])
    out = tmp / "pay.parquet"
    from click.testing import CliRunner

    from tariffkit.cli import cli

    r = CliRunner().invoke(cli, ["import-dss", str(f), "-o", str(out)], env={"TARIFFKIT_KEY": "k" * 20})
    assert r.exit_code == 0, r.output
    return out


def test_the_corpus_has_at_least_40_cases():
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id,build,expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input(run, tmp_path, case_id, build, expected):
    out = tmp_path / "out.parquet"
    before = set(tmp_path.iterdir())
    args = [str(a) for a in build(tmp_path)]
    if args[0] != "validate":
        args += ["-o", str(out)]
    r = run(*args)
    assert r.exit_code == 1, (case_id, r.exit_code, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert r.stderr.startswith("tariffkit: error:") or "tariffkit: error:" in r.stderr
    for frag in expected:
        assert frag in r.stderr, (case_id, frag, r.stderr)
    golden("bad_inputs", case_id, r.stderr, tmp_path)  # and the whole message, word for word
    assert not out.exists()
    leftovers = [p for p in set(tmp_path.iterdir()) - before if p.name.startswith(".") or p.suffix == ".tmp"]
    assert not leftovers, leftovers


@pytest.mark.parametrize("key, value", [("year", "2026"), ("weeks_per_year", "52"), ("fixed_groups", '["fixed_offer"]')])
def test_a_structure_setting_that_nothing_reads_is_refused_with_the_reason(key, value):
    import tomllib

    from tariffkit.errors import DataError
    from tariffkit.tariffs import parse_structure

    d = tomllib.loads(f"{key} = {value}\n[[levels]]\nlevel = 1\nmin_hours = 0\nmax_hours = 9\n")
    with pytest.raises(DataError, match=f"{key} is not a setting: .*remove it") as e:
        parse_structure(d, file="l.toml")
    assert e.value.column == key


def _structure(tmp_path, body, name):
    p = tmp_path / f"{name}.toml"
    p.write_text('name = "x"\n' + body, encoding="utf-8")
    return p


@pytest.mark.parametrize("case", ["pl_nan", "weeks_text", "days_zero", "hours_nan", "year_zero", "quarter_zero", "meta_csv", "meta_missing"])
def test_hostile_inputs_are_named_problems_not_internal_errors(run, tmp_path, sample_out, case):
    out, _ = sample_out
    level = "[[levels]]\nlevel = 1\nmin_hours = 0\nmax_hours = 10\n"
    tb = [
        "tariff-build",
        "--costs",
        SAMPLE / "costs.csv",
        "--haap",
        out / "belaegning-2026.parquet",
        "--year",
        "2026",
        "-o",
        tmp_path / "x.parquet",
        "--structure",
    ]
    args, code, words = {
        "pl_nan": (
            [
                "budget-forecast",
                "--year",
                "2026",
                "--costs",
                SAMPLE / "costs.csv",
                "--tariffs",
                out / "takster-2026.parquet",
                "--haap",
                out / "belaegning-2026.parquet",
                "--pl",
                "NaN",
                "-o",
                tmp_path / "x.parquet",
            ],
            2,
            "--pl",
        ),
        "weeks_text": ([*tb, _structure(tmp_path, 'weeks_per_year = "many"\n' + level, "w")], 1, "weeks_per_year"),
        "days_zero": ([*tb, _structure(tmp_path, "days_per_year = 0\n" + level, "d")], 1, "days_per_year"),
        "hours_nan": ([*tb, _structure(tmp_path, level.replace("max_hours = 10", "max_hours = nan"), "h")], 1, "levels[1].max_hours"),
        "year_zero": (["compute-haap", out / "payments.parquet", "--year", "0", "-o", tmp_path / "x.parquet"], 2, "--year"),
        "quarter_zero": (["portfolio", out / "payments.parquet", "--quarter", "0000Q1", "-o", tmp_path / "x.parquet"], 2, "--quarter"),
        "meta_csv": (["show", "--meta", SAMPLE / "costs.csv"], 1, "no provenance"),
        "meta_missing": (["show", "--meta", tmp_path / "none.parquet"], 1, "file not found"),
    }[case]
    r = run(*args)
    assert r.exit_code == code, r.output
    assert words in r.output and "internal error" not in r.output and "Traceback" not in r.output
    assert not (tmp_path / "x.parquet").exists()


def test_stdout_that_cannot_be_written_is_a_named_error(sample_out):
    import subprocess
    import sys

    out, _ = sample_out
    with open("/dev/full", "wb") as full:
        r = subprocess.run(
            [sys.executable, "-m", "tariffkit", "compute-haap", str(out / "payments.parquet"), "--year", "2026"], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert r.returncode == 1 and "No space left on device" in r.stderr and "internal error" not in r.stderr
