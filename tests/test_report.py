"""report monthly (HTML) and report offer (xlsx): figures, reproducibility, the browser, the workbook."""

import datetime as dt
import math
import re
import shutil
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from conftest import HEADER, SAMPLE, cpr_patterns, dss_line
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffkit.report import monthly_report

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def payments(tmp_path, run, lines):
    src = tmp_path / "dss.csv"
    src.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    out = tmp_path / "payments.parquet"
    r = run("import-dss", src, "-o", out)
    assert r.exit_code == 0, r.output
    return out


def test_key_figures_by_hand(run, tmp_path):
    """Two citizens on § 108 all year (one from July), one on § 107; a budget per paragraph."""
    lines = []
    for m in range(1, 13):
        last = (dt.date(2026, m % 12 + 1, 1) - dt.timedelta(days=1)) if m < 12 else dt.date(2026, 12, 31)
        f, t = f"01-{m:02d}-2026", last.strftime("%d-%m-%Y")
        kind = "Forbrug" if m <= 6 else "Disposition"
        lines.append(dss_line(cpr="700101-1234", case="A", paragraph="SEL § 108", frm=f, to=t, amount="50.000,00", kind=kind))
        if m >= 7:
            lines.append(dss_line(cpr="700202-1234", case="B", paragraph="SEL § 108", frm=f, to=t, amount="40.000,00", kind=kind))
        lines.append(dss_line(cpr="700303-1234", case="C", paragraph="SEL § 107", frm=f, to=t, amount="30.000,00", kind=kind))
    pay = payments(tmp_path, run, lines)
    budget = pl.DataFrame(
        {"paragraph": ["SEL 107", "SEL 108"], "haap": [1.0, 1.25], "average_price": [Decimal("300000.00"), Decimal("600000.00")]},
        schema_overrides={"average_price": pl.Decimal(18, 2)},
    )
    r = monthly_report(pl.read_parquet(pay), year=2026, as_of=dt.date(2026, 6, 30), budget=budget)
    k = {x["area"]: x for x in r.key_figures.iter_rows(named=True)}
    s108 = k["SEL 108"]
    assert s108["haap_ytd"] == pytest.approx(0.5)  # 6 active months / 12
    assert s108["haap_forecast"] == pytest.approx(1.5)  # 12 + 6 months / 12
    assert s108["expense_ytd"] == Decimal("300000.00")
    assert s108["forecast"] == Decimal("840000.00")  # 12 × 50,000 + 6 × 40,000
    assert s108["budget"] == Decimal("750000.00")
    assert s108["deviation"] == Decimal("90000.00")
    assert s108["volume_effect"] == Decimal("150000.00")  # (1.5 − 1.25) × 600,000
    assert s108["price_effect"] == Decimal("-60000.00")  # (560,000 − 600,000) × 1.5
    assert s108["average_price"] == Decimal("560000.00")
    total = k["I alt"]
    assert total["citizens"] == 3
    assert total["forecast"] == Decimal("1200000.00") and total["budget"] == Decimal("1050000.00")
    for x in r.key_figures.iter_rows(named=True):
        assert x["volume_effect"] + x["price_effect"] == x["deviation"], "volume and price add up to the deviation exactly"
    # the months: actual up to June, commitments after
    m108 = r.monthly.filter(pl.col("area") == "SEL 108").sort("month")
    assert m108["actual"].to_list() == [True] * 6 + [False] * 6
    assert m108["haap"].to_list() == [1.0] * 6 + [2.0] * 6
    # the case with the largest change: B starts in July, but the as-of month is June → no change
    assert r.cost_changes.height == 0


def test_report_reconciles_with_compute_haap_on_the_sample(sample_out):
    out, _ = sample_out
    kf = pl.read_parquet(out / "noegletal-2026-10.parquet")
    fc = pl.read_parquet(out / "prognose-2026-paragraf.parquet")
    auth = pl.read_parquet(out / "myndighed-2026.parquet")
    body = kf.filter(pl.col("area") != "I alt")
    assert body["forecast"].sum() == fc["expense_forecast"].sum(), "the report's forecast is compute-haap's, to the øre"
    assert body["expense_ytd"].sum() == fc["expense_ytd"].sum()
    assert body["budget"].sum() == auth["budget"].sum()
    total = kf.filter(pl.col("area") == "I alt").row(0, named=True)
    assert total["forecast"] == body["forecast"].sum() and total["deviation"] == body["deviation"].sum()
    assert (kf["volume_effect"] + kf["price_effect"] == kf["deviation"]).all()
    # the same split as budget-forecast --authority computes: one computation, one rounding
    j = body.join(auth, left_on="area", right_on="paragraph")
    assert (j["volume_effect"] == j["volume_effect_right"]).all()


def test_html_is_self_contained_danish_and_reproducible(sample_out, run, tmp_path):
    out, _ = sample_out
    html = (out / "rapport-2026-10.html").read_text(encoding="utf-8")
    for label in (
        "Nøgletal",
        "HÅP pr. måned",
        "Gennemsnitspris pr. måned",
        "Budget og prognose pr. område",
        "Tilgang og afgang",
        "Tilbud på vej mod underskud",
        "Sager med største ændring i udgift",
        "Dataperiode",
        "sha256",
        "tariffkit 0.1.0",
        "Tallene bygger på DSS-udtræk af 31.10.2026",
    ):
        assert label in html, label
    assert "<script" not in html.lower()
    # nothing to fetch: no src/href/url() pointing anywhere (the SVG namespace is not a request)
    assert not re.search(r'(src|href)\s*=\s*"(?!#)', html)
    assert "url(http" not in html and "@import" not in html
    assert html.count("<svg") == 4
    assert "T102" in html.split("Tilbud på vej mod underskud")[1].split("Sager med")[0]
    # the payments file's hash is in the footer
    from tariffkit.io import sha256_file

    assert sha256_file(out / "payments.parquet") in html
    # byte-identical on a second run
    args = [
        "report",
        "monthly",
        out / "payments.parquet",
        "--as-of",
        "2026-10-31",
        "--budget",
        out / "myndighed-2026.parquet",
        "--offer-budget",
        out / "budget-2026.parquet",
        "--previous",
        out / "noegletal-2026-09.parquet",
        "--save-figures",
        tmp_path / "k.parquet",
    ]
    assert run(*args, "-o", tmp_path / "a.html").exit_code == 0
    assert run(*args, "-o", tmp_path / "b.html").exit_code == 0
    a, b = (tmp_path / "a.html").read_bytes(), (tmp_path / "b.html").read_bytes()
    assert a == b
    # the same as make wrote, apart from the file names in the footer
    assert a.split(b"<footer>")[0] == (out / "rapport-2026-10.html").read_bytes().split(b"<footer>")[0]


def test_change_since_last_month_from_the_saved_figures(sample_out, run, tmp_path):
    out, _ = sample_out
    """make demo: September's report remade from the history as it stood (--known-at), then
    October's with September's saved figures: the change is the difference of the forecasts."""
    base = ["report", "monthly", out / "payments.parquet", "--budget", out / "myndighed-2026.parquet"]
    sep, okt = pl.read_parquet(out / "noegletal-2026-09.parquet"), pl.read_parquet(out / "noegletal-2026-10.parquet")
    assert sep["extract_date"].unique().to_list() == [dt.date(2026, 9, 30)] and okt["extract_date"].unique().to_list() == [dt.date(2026, 10, 31)]
    j = okt.join(sep, on="area", suffix="_sep")
    assert (j["forecast_change"] == j["forecast"] - j["forecast_sep"]).all()
    assert (j["haap_change"] - (j["haap_forecast"] - j["haap_forecast_sep"])).abs().max() < 1e-9
    assert sep["forecast_change"].null_count() == sep.height, "no --previous: no change shown"
    # September's figures are what compute-haap said on 30 September
    f = pl.read_parquet(out / "prognose-2026.parquet")  # offers, as of October
    assert sep.filter(pl.col("area") == "I alt")["forecast"][0] != okt.filter(pl.col("area") == "I alt")["forecast"][0]
    assert f["expense_forecast"].sum() > 0
    # last month's figures must be from before the as-of date
    r = run(*base, "--as-of", "2026-09-30", "--previous", out / "noegletal-2026-10.parquet", "-o", tmp_path / "x.html")
    assert r.exit_code == 1 and "noegletal-2026-10.parquet" in r.output and "as_of" in r.output and not (tmp_path / "x.html").exists()


def test_report_monthly_bad_input(sample_out, run, tmp_path):
    out, _ = sample_out
    target = tmp_path / "r.html"
    r = run("report", "monthly", out / "payments.parquet", "--known-at", "2020-01-31", "-o", target)
    assert r.exit_code == 2 and "--known-at" in r.output
    r = run("report", "monthly", out / "payments.parquet", "--as-of", "30-09-2026", "-o", target)
    assert r.exit_code == 2 and "2026-09-30" in r.output
    r = run("report", "monthly", out / "payments.parquet", "--as-of", "2026-09-30", "-o", tmp_path / "r.pdf")
    assert r.exit_code == 2 and ".html" in r.output
    r = run("report", "monthly", out / "payments.parquet", "--as-of", "2026-09-30", "--by", "citizen_id", "-o", target)
    assert r.exit_code == 2
    bad = tmp_path / "budget.csv"
    bad.write_text("paragraph;haap\nSEL 108;3\n", encoding="utf-8")
    r = run("report", "monthly", out / "payments.parquet", "--as-of", "2026-09-30", "--budget", bad, "-o", target)
    assert r.exit_code == 1 and "budget.csv" in r.output and "average_price" in r.output
    assert not target.exists()


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="LOUD SKIP: Chromium is not installed, so the HTML report was not opened in a browser. "
    "Install Debian's chromium (apt-get install chromium); .ci/run does.",
)
def test_html_renders_in_headless_chromium(sample_out, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="LOUD SKIP: playwright is not installed (pip install -e '.[test]')")
    out, _ = sample_out
    page_url = (out / "rapport-2026-10.html").as_uri()
    requests, console_errors, page_errors = [], [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda req: requests.append(req.url))
            page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.goto(page_url, wait_until="load")
            charts = page.locator("figure svg")
            assert charts.count() == 4
            for i in range(4):
                svg = charts.nth(i)
                box = svg.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 100, f"chart {i} has no size"
                assert svg.locator("path").count() > 10, f"chart {i} drew nothing"
                assert svg.get_attribute("aria-label")
            assert page.locator("table").count() >= 3
            shot = tmp_path / "rapport.png"
            page.screenshot(path=str(shot), full_page=True)
            pdf_ok = page.evaluate("() => document.title")
        finally:
            browser.close()
    assert shot.stat().st_size > 50_000, "the screenshot is not an empty page"
    assert pdf_ok.startswith("Månedlig økonomiopfølgning")
    assert console_errors == [] and page_errors == []
    assert requests == [page_url], f"requests left the page: {requests}"


def test_offer_workbook_values_formats_and_calculators(sample_out):
    from openpyxl import load_workbook

    out, _ = sample_out
    budget = pl.read_parquet(out / "budget-2026.parquet")
    offers = pl.read_csv(SAMPLE / "offers.csv", separator=";")
    wb = load_workbook(out / "tilbud-2026.xlsx")
    assert wb.sheetnames[0] == "Oversigt" and len(wb.sheetnames) == 1 + budget["offer_id"].n_unique()

    def val(offer, basis, line, year=2026):
        return float(
            budget.filter((pl.col("offer_id") == offer) & (pl.col("basis") == basis) & (pl.col("year") == year) & (pl.col("line") == line))["value"][0]
        )

    ov = wb["Oversigt"]
    head = [c.value for c in ov[4]]
    rows = {r[0]: dict(zip(head, r)) for r in ov.iter_rows(min_row=5, values_only=True) if r[0] and r[0].startswith("T")}
    assert set(rows) == set(budget["offer_id"].unique())
    for o, r in rows.items():  # the overview links to the offer sheets, so it follows an edit
        assert str(r["Budget: takstgrundlag 2026"]).startswith(f"='{o} ") and str(r["Forventet resultat"]).startswith(f"='{o} ")
        assert r["Navn"] == offers.filter(pl.col("offer_id") == o)["offer_name"][0]
    assert ov.freeze_panes == "C5" and len(ov._charts) == 1
    assert ov.cell(row=5, column=6).number_format == "#,##0"
    ws = wb["T102 Botilbuddet Lærkehøj"]
    assert ws.freeze_panes == "B5" and len(ws._charts) == 1
    labels = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    for section in ("Omkostninger", "Indtægter pr. funktionsniveau", "Nøgletal", "Personale", "Tilbudsleders kommentar"):
        assert section in labels, section
    header = {ws.cell(row=4, column=j).value: j for j in range(2, ws.max_column + 1)}
    r = labels["Takstberegningsgrundlag"]
    # a live model: inputs in yellow cells, totals as formulas on them
    cost_row = next(r_ for lab, r_ in labels.items() if lab and str(lab).startswith("Borgerrelateret personale (faguddannet)"))
    col = header["Prognose 2026"]
    assert ws.cell(row=cost_row, column=col).fill.fgColor.rgb.endswith("FFF2CC") and isinstance(ws.cell(row=cost_row, column=col).value, (int, float))
    assert str(ws.cell(row=r, column=col).value).startswith("="), "the tariff basis is a formula"
    assert str(ws.cell(row=labels["Samlede indtægter"], column=col).value).startswith("=")
    assert ws.cell(row=r, column=col).number_format == "#,##0"
    assert ws.cell(row=labels["HÅP i alt"], column=col).number_format == "#,##0.00"
    assert str(ws.cell(row=labels["Merforbrug at lukke"], column=col).value).startswith("=IF(-"), "a deficit within 1 kr per HÅP is rounding"
    assert "ROUNDUP" in str(ws.cell(row=next(r_ for lab, r_ in labels.items() if lab and str(lab).startswith("Reduktion i årsværk (")), column=col).value)
    # fitted to one page wide (fitToWidth 1 is the file format's default, so it may be left out)
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
    assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == "$4:$4"


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _recalc(src, folder, to="xlsx"):
    """LibreOffice opens the workbook, recalculating every formula (its profile says "always
    recalculate" on load: the cached values the workbook carries are not taken on trust)."""
    import subprocess

    folder.mkdir(exist_ok=True)
    profile = folder.parent / "lo-profile" / "user"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )
    r = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{folder.parent}/lo-profile", "--headless", "--calc", "--convert-to", to, "--outdir", str(folder), str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return folder / (src.stem + "." + to)


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LOUD SKIP: LibreOffice is not installed, so the offer workbook was not recalculated by a formula engine. "
    "Install Debian's libreoffice-calc-nogui; .ci/run does.",
)
def test_offer_workbook_recalculates_to_the_parquet_and_follows_an_edit(sample_out, tmp_path):
    """LibreOffice computes every formula cell; each equals the budget model's figure to the
    krone. Raising a cost line by 100,000 kr raises the cost basis and the tariff basis by as
    much and lowers the expected result by as much. Printed, each sheet is at most two pages."""
    from openpyxl import load_workbook

    from tariffkit.offer_workbook import BASIS_LABELS

    out, _ = sample_out
    budget = pl.read_parquet(out / "budget-2026.parquet")
    formulas = load_workbook(out / "tilbud-2026.xlsx")
    computed = load_workbook(_recalc(out / "tilbud-2026.xlsx", tmp_path / "calc"), data_only=True)
    compared = 0
    for ws in formulas.worksheets[1:]:
        offer = ws["A1"].value.split(": ")[1].split(" ")[0]
        header = {ws.cell(row=4, column=j).value: j for j in range(2, ws.max_column + 1)}
        rows = {ws.cell(row=r, column=1).value: r for r in range(5, ws.max_row + 1)}
        for x in budget.filter(pl.col("offer_id") == offer).iter_rows(named=True):
            j, r = header.get(f"{BASIS_LABELS[x['basis']]} {x['year']}"), rows.get(x["label"])
            if x["value"] is None or not j or not r or not str(ws.cell(row=r, column=j).value).startswith("="):
                continue
            got = computed[ws.title].cell(row=r, column=j).value
            assert got is not None and abs(float(got) - float(x["value"])) <= 1, (offer, x["line"], x["basis"], got, x["value"])
            compared += 1
    assert compared > 500
    ov = computed["Oversigt"]
    head = [c.value for c in ov[4]]
    for r in ov.iter_rows(min_row=5, values_only=True):
        if r[0] and str(r[0]).startswith("T"):
            row = dict(zip(head, r))
            x = budget.filter((pl.col("offer_id") == r[0]) & (pl.col("year") == 2026))
            v = {(y["basis"], y["line"]): float(y["value"]) for y in x.iter_rows(named=True) if y["value"] is not None}
            assert row["Forventet resultat"] == pytest.approx(v[("forecast", "expected_result")], abs=1)
            assert row["Budget: takstgrundlag 2026"] == pytest.approx(v[("tariff_budget", "tariff_basis")], abs=1)
    # an offer manager raises a cost line by 100,000 kr
    ws = formulas["T102 Botilbuddet Lærkehøj"]
    header = {ws.cell(row=4, column=j).value: j for j in range(2, ws.max_column + 1)}
    rows = {ws.cell(row=r, column=1).value: r for r in range(5, ws.max_row + 1)}
    col = header["Prognose 2026"]
    line = next(r for lab, r in rows.items() if lab and str(lab).startswith("Borgerrelateret personale (faguddannet)"))
    ws.cell(row=line, column=col).value += 100_000
    edited = tmp_path / "edited.xlsx"
    formulas.save(edited)
    after = load_workbook(_recalc(edited, tmp_path / "calc2"), data_only=True)["T102 Botilbuddet Lærkehøj"]
    before = computed["T102 Botilbuddet Lærkehøj"]
    for label, delta in (
        ("Årets udgiftsgrundlag", 100_000),
        ("Takstberegningsgrundlag", 100_000),
        ("Forventet resultat (indtægter − takstgrundlag)", -100_000),
    ):
        assert after.cell(row=rows[label], column=col).value - before.cell(row=rows[label], column=col).value == pytest.approx(delta), label
    ov_after = load_workbook(tmp_path / "calc2" / "edited.xlsx", data_only=True)["Oversigt"]
    t102 = next(r for r in ov_after.iter_rows(min_row=5, values_only=True) if r[0] == "T102")
    t102_before = next(r for r in computed["Oversigt"].iter_rows(min_row=5, values_only=True) if r[0] == "T102")
    assert t102[8] - t102_before[8] == pytest.approx(-100_000), "the overview follows the edit"
    pdf = _recalc(out / "tilbud-2026.xlsx", tmp_path / "pdf", "pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 0 < pages <= 2 * len(formulas.sheetnames), f"{pages} pages for {len(formulas.sheetnames)} sheets"


def test_offer_workbook_is_reproducible_and_fails_cleanly(sample_out, run, tmp_path):
    out, _ = sample_out
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run("report", "offer", out / "budget-2026.parquet", "--offers", SAMPLE / "offers.csv", "-o", a).exit_code == 0
    assert run("report", "offer", out / "budget-2026.parquet", "--offers", SAMPLE / "offers.csv", "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    r = run("report", "offer", out / "budget-2026.parquet", "--year", "2030", "-o", tmp_path / "c.xlsx")
    assert r.exit_code == 1 and "2030" in r.output and not (tmp_path / "c.xlsx").exists()
    r = run("report", "offer", out / "budget-2026.parquet", "-o", tmp_path / "c.csv")
    assert r.exit_code == 2
    r = run("report", "offer", out / "payments.parquet", "-o", tmp_path / "c.xlsx")
    assert r.exit_code == 1 and "payments.parquet" in r.output and not (tmp_path / "c.xlsx").exists()


def test_no_cpr_in_either_report(sample_out):
    import zipfile

    out, _ = sample_out
    cprs = set(pl.read_csv(SAMPLE / "dss-udtraek-2026-09.csv", separator=";", infer_schema=False, encoding="utf8-lossy")["CPR-nr."].to_list())
    patterns = [p.encode() for p in cpr_patterns(cprs)]
    html = (out / "rapport-2026-10.html").read_bytes()
    with zipfile.ZipFile(out / "tilbud-2026.xlsx") as z:
        xlsx = b"".join(z.read(n) for n in z.namelist())
    for blob in (html, xlsx):
        assert not any(p in blob for p in patterns)
    # the cases are named by pseudonym
    assert re.search(rb"<td class=\"\">[0-9a-f]{16}</td>", html)


def test_a_workbook_carries_no_time_of_writing(monkeypatch):
    """Workbooks are the same bytes whenever they are written: every zip member stamped
    1980-01-01 and the document dates fixed, whatever the clock says."""
    import datetime as dt
    import io
    import re
    import zipfile

    from tariffkit import xlsx

    def book_bytes():
        b = xlsx.Book()
        b.sheet("Ark").write_string(0, 0, "tekst")
        return b.bytes()

    first = book_bytes()
    z = zipfile.ZipFile(io.BytesIO(first))
    assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = z.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == ["2000-01-01T00:00:00Z"] * 2

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 5, 17, 13, 45, 12, tzinfo=tz)

        @classmethod
        def utcnow(cls):
            return dt.datetime(2031, 5, 17, 13, 45, 12)

    import xlsxwriter.workbook

    monkeypatch.setattr(xlsxwriter.workbook, "datetime", Later, raising=False)
    assert book_bytes() == first


@settings(max_examples=80, deadline=None)
@given(st.floats(-1e7, 1e7, allow_nan=False), st.floats(-1e7, 1e7, allow_nan=False), st.booleans(), st.booleans(), st.sampled_from([0, 1, 2]))
def test_chart_axes_cover_the_values_in_round_steps(a, b, zero, integer, decimals):
    from tariffkit.charts import nice_ticks
    from tariffkit.danish import format_kr

    lo, hi = sorted((a, b))
    t = nice_ticks(lo, hi, zero=zero, integer=integer, decimals=decimals)
    assert 2 <= len(t) <= 12
    assert len({format_kr(v, decimals) for v in t}) == len(t), "no two labels read the same"
    steps = {round(y - x, 6) for x, y in zip(t, t[1:])}
    assert len(steps) == 1, "even steps"
    step = steps.pop()
    assert t[0] <= lo + step * 1e-6 and t[-1] >= hi - step * 1e-6, "every value is inside the axis (to a millionth of a step)"
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 2.5, 5, 10)
    if zero:
        assert t[0] <= 0 <= t[-1], "bars start at zero"
    if integer:
        assert float(step).is_integer()


def test_charts_draw_actual_solid_and_commitments_dashed_from_the_last_actual_month():
    import datetime as dt
    import xml.dom.minidom

    from tariffkit import charts

    months = [dt.date(2026, m, 1) for m in range(1, 13)]
    svg = charts.month_lines({"SEL 108": (months, [60.0 + m for m in range(12)], [m < 10 for m in range(1, 13)])}, "HÅP pr. måned", "HÅP")
    doc = xml.dom.minidom.parseString(svg)
    paths = [p.getAttribute("d") for p in doc.getElementsByTagName("path")]
    solid = next(p for p in doc.getElementsByTagName("path") if p.getAttribute("stroke-width") == "1.8")
    dashed = next(p for p in doc.getElementsByTagName("path") if p.getAttribute("stroke-dasharray"))
    assert solid.getAttribute("d").count("L") == 8, "nine actual months (jan-sep): one line through them"
    assert dashed.getAttribute("d").split("L")[0] == "M" + solid.getAttribute("d").split("L")[-1], "the dashed part starts at September's point"
    assert dashed.getAttribute("d").count("L") == 3, "October to December"
    assert len(paths) > 10 and doc.documentElement.getAttribute("aria-label") == "HÅP pr. måned"
    bars = charts.grouped_bars(["A", "B"], {"Budget": [1.5, None], "Prognose": [2.0, 3.0]}, "Budget", "Mio. kr.", decimals=1)
    assert bars.count('fill="#1f5f8b"/>') == 1 + 1, "Budget: one bar (B has none) and its legend swatch"
    assert ">1,0<" in bars and ">3,0<" in bars, "Danish decimal comma on the axis"
    assert charts.flows(months[:2], [3, 0], [0, 2], "Tilgang og afgang") == charts.flows(months[:2], [3, 0], [0, 2], "Tilgang og afgang")


def test_a_table_workbook_reads_back_in_openpyxl_and_libreoffice(tmp_path):
    """The portfolio's writer (sheet XML written directly): values keep their type, text that looks
    like a formula or starts with a space stays text, characters XML cannot hold are dropped, the
    header is bold and frozen, numbers carry their format and flagged rows their colour."""
    import io

    from openpyxl import load_workbook

    from tariffkit.xlsx import TableBook

    def make() -> bytes:
        book = TableBook()
        book.table("Oversigt", ["Navn", "Beløb"], [["a & <b>", "=SUM(A1)"], [1234.5, None]], [None, "#,##0"], [False, False], [12, 9])
        cols = [[" indrykket", "x\x07y"], [3, -2], [0.25, None], [True, False]]
        book.table('M\'s "sag"', ["Tekst", "Tal", "HÅP", "Ja"], cols, [None, "#,##0", "0.00", None], [True, False], [10, 8, 6, 4])
        days = [[dt.date(2026, 10, 31), dt.date(1900, 3, 1), None], [1234.56, -0.5, 7.0]]
        book.table("Datoer", ["Dato", "Kr."], days, ["dd-mm-yyyy", "#,##0.00"], [False] * 3, [12, 10], autofilter=True)
        return book.bytes()

    data = make()
    assert make() == data, "the same bytes"
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Oversigt", 'M\'s "sag"', "Datoer"]
    ov, ws = wb["Oversigt"], wb['M\'s "sag"']
    assert [c.value for c in ov[2]] == ["a & <b>", 1234.5] and ov["A3"].value == "=SUM(A1)" and ov["A3"].data_type == "s"
    assert ov["B2"].number_format == "#,##0" and ov["A1"].font.b and ov.freeze_panes == "A2"
    assert [c.value for c in ws[2]] == [" indrykket", 3, 0.25, True] and ws["A3"].value == "xy"
    assert ws["B2"].number_format == "#,##0" and ws["C2"].number_format == "0.00"
    assert ws["A2"].fill.fgColor.rgb == "FFFCE4D6" and ws["A3"].fill.fill_type is None, "the flagged row only"
    assert round(ws.column_dimensions["A"].width, 4) == 10.7109
    d = wb["Datoer"]
    assert d["A2"].value == dt.datetime(2026, 10, 31) and d["A3"].value == dt.datetime(1900, 3, 1) and d["A4"].value is None
    assert d["A2"].number_format == "dd-mm-yyyy" and d["B2"].number_format == "#,##0.00" and d["B3"].value == -0.5
    assert d.auto_filter.ref == "A1:B4" and ov.auto_filter.ref is None, "a filter on the sheet that asked for one"
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    hidden = '<definedName name="_xlnm._FilterDatabase" localSheetId="2" hidden="1">\'Datoer\'!$A$1:$B$4</definedName>'
    assert hidden in names, "Excel's hidden name for the filtered area"
    if SOFFICE:
        src = tmp_path / "t.xlsx"
        src.write_bytes(data)
        back = load_workbook(_recalc(src, tmp_path / "lo"))
        assert [c.value for c in back["Oversigt"][2]] == ["a & <b>", 1234.5] and back['M\'s "sag"']["A2"].value == " indrykket"
        assert back["Datoer"]["A2"].value == dt.datetime(2026, 10, 31) and back["Datoer"].auto_filter.ref == "A1:B4"
