import click

from tariffkit.cli.common import writable


@click.command("export", short_help="Any table to Excel (.xlsx) or Danish CSV, complete.")
@click.argument("file")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE.xlsx|FILE.csv",
    help="The file to write; its extension decides the format (- for CSV on stdout).",
    callback=writable,
)
@click.option(
    "--locale",
    type=click.Choice(["da", "en"]),
    default="da",
    show_default=True,
    help="CSV: da = ; and decimal comma, UTF-8 with BOM (Danish Excel); en = , and decimal point.",
)
@click.option("--sheet", default="Data", show_default=True, help="xlsx: the sheet's name.")
def command(file, output, locale, sheet):
    """Write every row of FILE (Parquet, CSV or .xlsx; - for Parquet on stdin) as .xlsx or CSV
    for people: nested columns (flags, notes) joined with ", ", HÅP and other decimals rounded to
    two places for display (xlsx keeps exact values and shows them rounded; money keeps its øre),
    Danish headers and number formats in xlsx, Danish CSV by default.

    \b
    Example:
      tariffkit export out/genindplacering-2026.parquet -o genindplacering.xlsx
      tariffkit export out/haap-2026-maaned.parquet -o haap.csv
      tariffkit export out/payments.parquet -o - --locale en | head
    """
    from tariffkit import io as tio
    from tariffkit.cli.common import err
    from tariffkit.errors import UsageError
    from tariffkit.export import csv_bytes, xlsx_bytes

    low = output.lower()
    if output != "-" and not low.endswith((".xlsx", ".csv")):
        raise UsageError("-o: name the file .xlsx or .csv (or - for CSV on stdout)")
    inputs = tio.Inputs()
    df = tio.read_table(file, inputs)
    if "_row" in df.columns:
        df = df.drop("_row")
    payload = xlsx_bytes(df, sheet) if low.endswith(".xlsx") else csv_bytes(df, locale)
    tio.write_bytes(output, payload, inputs)
    if output != "-":
        err(f"export: {df.height} rows × {df.width} columns to {output}")
