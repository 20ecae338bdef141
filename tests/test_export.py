"""export and show: every table complete, Danish CSV and typed xlsx, no float noise, nested
columns flattened."""

import io

import polars as pl
from openpyxl import load_workbook


def test_every_demo_output_exports_to_xlsx_and_danish_csv(sample_out, run, tmp_path):
    out, _ = sample_out
    tables = sorted(p for p in out.glob("*.parquet"))
    assert len(tables) >= 15
    for p in tables:
        df = pl.read_parquet(p)
        x, c = tmp_path / f"{p.stem}.xlsx", tmp_path / f"{p.stem}.csv"
        assert run("export", p, "-o", x).exit_code == 0, p
        assert run("export", p, "-o", c).exit_code == 0, p
        raw = c.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "Danish CSV carries a BOM so Excel reads æøå"
        back = pl.read_csv(io.BytesIO(raw[3:]), separator=";", infer_schema=False)
        assert back.height == df.height and back.width == df.width, p
        ws = load_workbook(x, read_only=True).worksheets[0]
        assert ws.max_row == df.height + 1, p


def test_csv_has_decimal_commas_no_float_noise_and_joined_lists(run, tmp_path):
    from decimal import Decimal

    df = pl.DataFrame(
        {"haap": [0.08333333339999172], "amount": [Decimal("1234.50")], "flags": [["overlap", "level_change"]], "ok": [True]},
        schema_overrides={"amount": pl.Decimal(18, 2)},
    )
    src = tmp_path / "t.parquet"
    df.write_parquet(src)
    r = run("export", src, "-o", tmp_path / "t.csv")
    assert r.exit_code == 0
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["HÅP;Beløb;Markeringer;ok", "0,08;1234,50;overlap, nyt niveau;ja"], "Danish headers, flags and numbers"
    r = run("export", src, "-o", tmp_path / "e.csv", "--locale", "en")
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").splitlines() == ["haap,amount,flags,ok", '0.08,1234.50,"overlap, level_change",true']
    r = run("export", src, "-o", tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert [c.value for c in ws[1]] == ["HÅP", "Beløb", "Markeringer", "ok"]
    assert ws["A2"].value == 0.08333333339999172 and ws["A2"].number_format == "0.00", "exact inside, rounded for display"
    assert ws["B2"].number_format == "#,##0.00", "a column with øre shows them"
    assert ws["C2"].value == "overlap, nyt niveau"
    assert ws["D2"].value == "ja", "a yes/no column in Danish, as in the CSV"
    assert ws.auto_filter.ref == "A1:D2" and ws.freeze_panes == "A2"
    assert run("export", src, "-o", tmp_path / "t.pdf").exit_code == 2


def test_show_machine_formats_are_complete_and_say_when_cut(sample_out, run):
    out, _ = sample_out
    p = out / "genindplacering-2026.parquet"
    n = pl.read_parquet(p).height
    r = run("show", p, "--format", "csv")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == n + 1, "csv shows every row and flattens the flags"
    r = run("show", p, "--format", "csv", "-n", "5")
    assert len(r.stdout.splitlines()) == 6 and f"5 of {n} rows" in r.stderr


def test_exports_open_in_libreoffice(sample_out, run, tmp_path):
    """The xlsx and the Danish CSV of every output of make demo open in LibreOffice (headless) with every row:
    the CSV read with ; as separator and UTF-8 (LibreOffice's filter 59,34,76)."""
    import shutil
    import subprocess

    import pytest

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LOUD SKIP: LibreOffice is not installed (libreoffice-calc-nogui); .ci/run installs it")
    out, _ = sample_out
    names = sorted(p.name for p in out.glob("*.parquet"))
    xs, cs = [], []
    for name in names:
        x, c = tmp_path / "x" / f"{name}.xlsx", tmp_path / "c" / f"{name}.csv"
        x.parent.mkdir(exist_ok=True)
        c.parent.mkdir(exist_ok=True)
        assert run("export", out / name, "-o", x).exit_code == 0 and run("export", out / name, "-o", c).exit_code == 0
        xs.append(x)
        cs.append(c)
    for files, extra, folder in ((xs, [], tmp_path / "lo-x"), (cs, ["--infilter=CSV:59,34,76,1"], tmp_path / "lo-c")):
        r = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                "--headless",
                *extra,
                "--convert-to",
                "xlsx",
                "--outdir",
                str(folder),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert r.returncode == 0, r.stderr
        for name, src in zip(names, files):
            df = pl.read_parquet(out / name)
            ws = load_workbook(folder / (src.stem + ".xlsx"), read_only=True).worksheets[0]
            rows = list(ws.iter_rows(values_only=True))
            assert len(rows) == df.height + 1 and len(rows[0]) == df.width, (name, src.suffix)
