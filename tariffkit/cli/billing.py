import click

from tariffkit.cli.common import output_option


@click.command("billing", short_help="What other municipalities owe for their citizens on our offers, per month.")
@click.argument("placements")
@click.option("--tariffs", required=True, metavar="FILE", help="tariffs table from tariff-build (daily tariff per offer, level and year).")
@click.option("--month", "months", required=True, metavar="YYYY-MM[..YYYY-MM]", help="The month to bill, or a range of months.")
@click.option(
    "--claim-date",
    metavar="YYYY-MM-DD",
    help="The day the claim is made (default: the last day of the last month billed); months older than 12 months by then are flagged late (§ 174 stk. 2).",
)
@click.option("--offers", metavar="FILE", help="Offers table: names on the workbooks.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="Pseudonymisation key for CPR numbers in the placements (else $TARIFFKIT_KEY).")
@click.option("--xlsx-dir", metavar="FOLDER", help="Also write one workbook per paying municipality into this folder (afregning-MUNICIPALITY-MONTH.xlsx).")
@output_option()
@click.pass_context
def command(ctx, placements, tariffs, months, claim_date, offers, key_file, xlsx_dir, output):
    """Inter-municipal billing (mellemkommunal afregning): per paying municipality, month and
    external citizen, the days on the offer at each level (a level change by its date) × the
    level's daily tariff of that year. A month more than 12 months before the claim date is
    flagged late: Serviceloven § 174 stk. 2 says a claim must be made within 12 months.

    \b
    Example:
      tariffkit billing placeringer.csv --tariffs takster-2026.parquet --month 2026-10 \\
          --key-file kommune.key --xlsx-dir afregning/ -o afregning-2026-10.parquet
    """
    import datetime as dt
    import re
    from pathlib import Path

    from tariffkit import io as tio
    from tariffkit import placements as plc
    from tariffkit.cli.common import err, params_for_provenance, parse_date_option
    from tariffkit.danish import format_kr
    from tariffkit.errors import UsageError
    from tariffkit.haap import month_add
    from tariffkit.keys import load_key

    m = re.fullmatch(r"(\d{4})-(\d{2})(?:\.\.(\d{4})-(\d{2}))?", months.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or (m.group(4) and not 1 <= int(m.group(4)) <= 12):
        raise UsageError(f"--month expects a month like 2026-10 or a range 2026-01..2026-10, got {months!r}")
    first = dt.date(int(m.group(1)), int(m.group(2)), 1)
    last = dt.date(int(m.group(3)), int(m.group(4)), 1) if m.group(3) else first
    if last < first:
        raise UsageError("--month: the range ends before it begins")
    claim = parse_date_option(claim_date, "--claim-date") if claim_date else month_add(last, 1) - dt.timedelta(days=1)
    if xlsx_dir and not Path(xlsx_dir).is_dir():
        raise UsageError(f"--xlsx-dir: the folder {xlsx_dir} does not exist")
    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    key = None if placements.lower().endswith((".parquet", ".pq")) else load_key(key_file, warn=err)
    stays = plc.read(placements, inputs, key)
    t = tio.read_table(tariffs, inputs, contract="tariffs")
    names = {}
    if offers:
        names = dict(tio.read_table(offers, inputs, contract="offers").select("offer_id", "offer_name").iter_rows())
    bill = plc.billing(stays, t, first, last, claim)
    tio.write_table(bill, target, command="billing", options=params_for_provenance(ctx), inputs=inputs)
    label = first.strftime("%Y-%m") + ("" if last == first else "_" + last.strftime("%Y-%m"))
    for muni in sorted(set(bill["paying_municipality"].to_list())):
        safe = re.sub(r"[^0-9A-Za-zÆØÅæøå]+", "-", muni).strip("-")
        if xlsx_dir:
            tio.write_bytes(str(Path(xlsx_dir) / f"afregning-{safe}-{label}.xlsx"), plc.billing_workbook(bill, muni, names), inputs)
        b = bill.filter(bill["paying_municipality"] == muni)
        late = b.filter(b["late"]).height
        err(
            f"billing {label}: {muni}: {b['citizen_id'].n_unique()} citizens, {format_kr(b['amount'].sum(), 2)} kr"
            + (f"; {late} lines older than 12 months (late, § 174 stk. 2)" if late else "")
        )
    if bill.height == 0:
        err(f"billing {label}: no other municipalities' citizens on the offers in the period")
