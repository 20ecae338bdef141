"""Privacy end to end: no CPR number of the sample in any output, log or error message."""

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest import HEADER, SAMPLE, cpr_patterns, dss_line


def sample_cprs():
    cprs = set()
    for name, col in (("dss-udtraek-2026-09.csv", "CPR-nr."), ("doegnskemaer.csv", "CPR-nr."), ("placeringer.csv", "CPR-nr.")):
        cprs |= set(pl.read_csv(SAMPLE / name, separator=";", infer_schema=False, encoding="utf8-lossy")[col].to_list())
    return cprs


def test_no_cpr_in_any_output_of_the_whole_pipeline(sample_out):
    out, make = sample_out
    patterns = [p.encode() for p in cpr_patterns(sample_cprs())]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 15
    blobs = {p.name: p.read_bytes() for p in files}
    if any(p.suffix == ".xlsx" for p in files):
        import zipfile

        for p in files:
            if p.suffix == ".xlsx":
                with zipfile.ZipFile(p) as z:
                    blobs[p.name + " (unzipped)"] = b"".join(z.read(n) for n in z.namelist())
    blobs["make stdout"] = make.stdout.encode()
    blobs["make stderr"] = make.stderr.encode()
    for name, blob in blobs.items():
        for pat in patterns:
            assert pat not in blob, f"a CPR number leaked into {name}"


def test_forced_errors_with_debug_leak_no_cpr(tmp_path):
    cpr = "700101-1234"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([HEADER, dss_line(cpr=cpr, amount="ikke et beløb")]) + "\n", encoding="utf-8")
    sched = tmp_path / "s.csv"
    sched.write_text(
        "CPR-nr.;Tilbudsnr.;Aktivitetsnr.;Beskrivelse;Paragraf;Starttidspunkt;Minutter;Hyppighed;Normering;Vurderede minutter;Bemærkning\n"
        f"{cpr};A;1;x;§ 85;07:00;{cpr};Hverdage;1:1;;\n",
        encoding="utf-8",
    )
    env = {"TARIFFKIT_KEY": "k" * 24, "PATH": "/usr/bin:/bin"}
    runs = [
        [sys.executable, "-m", "tariffkit", "--debug", "import-dss", str(bad), "-o", str(tmp_path / "o.parquet")],
        [
            sys.executable,
            "-m",
            "tariffkit",
            "--debug",
            "import-dss",
            str(bad),
            "-o",
            str(tmp_path / "o.parquet"),
            "--on-error",
            "reject",
            "--rejects",
            str(tmp_path / "r.parquet"),
        ],
        [
            sys.executable,
            "-m",
            "tariffkit",
            "--debug",
            "reassign",
            str(sched),
            "--structure",
            str(SAMPLE / "levels.toml"),
            "--tariffs",
            str(SAMPLE / "reference" / "tariffs.csv"),
            "-o",
            str(tmp_path / "ra.parquet"),
        ],
        [
            sys.executable,
            "-m",
            "tariffkit",
            "--debug",
            "reassign",
            str(sched),
            "--structure",
            str(SAMPLE / "levels.toml"),
            "--tariffs",
            str(SAMPLE / "reference" / "tariffs.csv"),
            "--on-error",
            "flag",
            "-o",
            str(tmp_path / "ra2.parquet"),
        ],
        [sys.executable, "-m", "tariffkit", "--debug", "validate", "payments", str(bad)],
    ]
    codes = []
    for cmd in runs:
        r = subprocess.run(cmd, capture_output=True, env=env)
        codes.append(r.returncode)
        for pat in cpr_patterns({cpr}):
            assert pat.encode() not in r.stdout + r.stderr, (cmd[3:5], r.stderr.decode())
    assert codes[0] == 1 and codes[2] == 1 and codes[4] == 1  # the forced errors
    for p in tmp_path.glob("*.parquet"):
        for pat in cpr_patterns({cpr}):
            assert pat.encode() not in p.read_bytes(), p.name


@pytest.mark.parametrize("key_length", [16, 63, 64, 65, 200])
def test_citizen_id_is_hmac_sha256_of_the_cpr_number(key_length):
    """The documented pseudonym, reproducible by anyone holding the key: the first 16 hex
    characters of HMAC-SHA256(key, the 10 digits). Keys longer than SHA-256's block are hashed
    first, as RFC 2104 says."""
    import hashlib
    import hmac

    from tariffkit.cpr import pseudonym_function

    key = bytes(range(256))[:key_length]
    one = pseudonym_function(key)
    for digits in ("0101701234", "6101709999", "3112991111"):
        assert one(digits) == hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()[:16]


# --- a CPR number typed where it does not belong ---------------------------------------------------

PLANTED = {  # field → a CPR-shaped value typed into it (each its own, so a leak names the field)
    "case": "020280-1111",
    "caseworker": "030390 2222",
    "offer_name_dss": "0404804444",
    "file": "050550-5555",
    "municipality": "060660-6666",
    "offer_name": "070770-7777",
    "comment": "080880-8888",
    "amount": "090990-9999",
    "remark": "111111-1212",
    "option": "121212-1313",
}


def _digits(v: str) -> str:
    return v.replace("-", "").replace(" ", "")


def _texts_of(path: Path) -> str:
    """Everything a person or a program could read out of an output file."""
    import zipfile

    import pyarrow.parquet as pq

    if path.suffix == ".parquet":
        t = pq.read_table(path)
        meta = " ".join(v.decode("utf-8", "replace") for v in (t.schema.metadata or {}).values())
        cells = " ".join(str(v) for col in t.columns if str(col.type) in ("string", "large_string") for v in col.to_pylist())
        return meta + " " + cells
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_bytes().decode("utf-8", "replace")


def test_a_cpr_number_in_any_text_field_reaches_no_output(run, tmp_path):
    import re

    key = SAMPLE / "demo.key"
    work = tmp_path / "in"
    work.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "afregning").mkdir()
    lines = (SAMPLE / "dss-udtraek-2026-10.csv").read_text(encoding="utf-8-sig").splitlines()
    cells = lines[1].split(";")
    cells[2], cells[3], cells[5] = f"SAG {PLANTED['case']}", f"Mette {PLANTED['caseworker']}", f"Egebo {PLANTED['offer_name_dss']}"
    bad = lines[2].split(";")
    bad[12] = PLANTED["amount"]
    dss = work / f"udtraek-{PLANTED['file']}.csv"
    dss.write_text("\n".join([lines[0], ";".join(cells), ";".join(bad), *lines[3:]]) + "\n", encoding="utf-8")
    p = (SAMPLE / "placeringer.csv").read_text(encoding="utf-8-sig").splitlines()
    other = next(i for i, ln in enumerate(p) if "Anden kommune" in ln or "Nabo" in ln)
    row = p[other].split(";")
    row[6] = f"Nabo {PLANTED['municipality']}"
    p[other] = ";".join(row)
    (work / "placeringer.csv").write_text("\n".join(p) + "\n", encoding="utf-8")
    o = (SAMPLE / "offers.csv").read_text(encoding="utf-8").splitlines()
    o[1] = o[1].replace("Bostedet Egebo", f"Egebo {PLANTED['offer_name']}").rstrip('"') + f'"ring {PLANTED["comment"]}"'
    (work / "offers.csv").write_text("\n".join(o) + "\n", encoding="utf-8")
    s = (SAMPLE / "doegnskemaer.csv").read_text(encoding="utf-8-sig").splitlines()
    head = s[0].split(";")
    if "Bemærkning" in head:
        i = head.index("Bemærkning")
        r = s[1].split(";")
        r[i] = f"ring til {PLANTED['remark']}"
        s[1] = ";".join(r)
    (work / "doegnskemaer.csv").write_text("\n".join(s) + "\n", encoding="utf-8")

    planted = " ".join(f.read_text(encoding="utf-8") + f.name for f in work.iterdir())
    for field, v in PLANTED.items():
        assert field == "option" or v in planted, f"{field} was not planted"
    steps = [
        (
            "import-dss",
            dss,
            "--key-file",
            key,
            "-o",
            out / "p.parquet",
            "--on-error",
            "reject",
            "--rejects",
            out / "rejects.parquet",
            "--summary-json",
            out / "s.json",
        ),
        ("compute-haap", out / "p.parquet", "--year", "2026", "--by", "offer_id,level", "-o", out / "h.parquet"),
        (
            "occupancy",
            work / "placeringer.csv",
            "--payments",
            out / "p.parquet",
            "--as-of",
            "2026-10-31",
            "--offers",
            work / "offers.csv",
            "--key-file",
            key,
            "--check",
            out / "check.xlsx",
            "-o",
            out / "occ.parquet",
        ),
        (
            "tariff-build",
            "--structure",
            SAMPLE / "levels.toml",
            "--costs",
            SAMPLE / "costs.csv",
            "--haap",
            out / "occ.parquet",
            "--offers",
            work / "offers.csv",
            "--year",
            "2026",
            "-o",
            out / "t.parquet",
            "--card",
            out / "card.toml",
            "--portal",
            out / "portal.xlsx",
        ),
        (
            "billing",
            work / "placeringer.csv",
            "--tariffs",
            out / "t.parquet",
            "--month",
            "2026-10",
            "--offers",
            work / "offers.csv",
            "--key-file",
            key,
            "--xlsx-dir",
            out / "afregning",
            "-o",
            out / "bill.parquet",
        ),
        (
            "reassign",
            work / "doegnskemaer.csv",
            "--structure",
            SAMPLE / "levels.toml",
            "--tariffs",
            out / "t.parquet",
            "--placements",
            work / "placeringer.csv",
            "--key-file",
            key,
            "--negotiation",
            out / "neg.xlsx",
            "--by-offer",
            out / "ro.parquet",
            "--service-levels",
            out / "sl.xlsx",
            "-o",
            out / "r.parquet",
        ),
        ("report", "monthly", out / "p.parquet", "--as-of", "2026-10-31", "-o", out / "rapport.html"),
        ("portfolio", out / "p.parquet", "--quarter", "2026Q3", "-o", out / "pf.parquet", "--xlsx", out / "pf.xlsx"),
        ("export", out / "p.parquet", "-o", out / "p.csv"),
    ]
    messages = ""
    for args in steps:
        r = run(*args)
        assert r.exit_code == 0, (args[0], r.output)
        messages += r.output
    r = run("compute-haap", out / "p.parquet", "--year", PLANTED["option"], "-o", out / "x.parquet")
    assert r.exit_code == 2
    messages += r.output
    seen = messages + " ".join(_texts_of(f) for f in out.rglob("*") if f.is_file())
    assert "Egebo" in seen and "Mette" in seen and "Nabo" in seen  # the text around them is kept
    for field, v in PLANTED.items():
        d = _digits(v)
        pattern = re.escape(d[:6]) + r"[- ]?" + re.escape(d[6:])
        assert not re.search(pattern, seen), f"the CPR number typed into {field} reached an output or a message"
