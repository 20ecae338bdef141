"""Privacy end to end: no CPR number of the sample in any output, log or error message."""

import subprocess
import sys

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
    sched.write_text("CPR-nr.;Tilbudsnr.;Aktivitetsnr.;Beskrivelse;Paragraf;Starttidspunkt;Minutter;Hyppighed;Normering;Vurderede minutter;Bemærkning\n"
                     f"{cpr};A;1;x;§ 85;07:00;{cpr};Hverdage;1:1;;\n", encoding="utf-8")
    env = {"TARIFFKIT_KEY": "k" * 24, "PATH": "/usr/bin:/bin"}
    runs = [
        [sys.executable, "-m", "tariffkit", "--debug", "import-dss", str(bad), "-o", str(tmp_path / "o.parquet")],
        [sys.executable, "-m", "tariffkit", "--debug", "import-dss", str(bad), "-o", str(tmp_path / "o.parquet"), "--on-error", "reject", "--rejects", str(tmp_path / "r.parquet")],
        [sys.executable, "-m", "tariffkit", "--debug", "reassign", str(sched), "--structure", str(SAMPLE / "levels.toml"),
         "--tariffs", str(SAMPLE / "reference" / "tariffs.csv"), "-o", str(tmp_path / "ra.parquet")],
        [sys.executable, "-m", "tariffkit", "--debug", "reassign", str(sched), "--structure", str(SAMPLE / "levels.toml"),
         "--tariffs", str(SAMPLE / "reference" / "tariffs.csv"), "--on-error", "flag", "-o", str(tmp_path / "ra2.parquet")],
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
