import click


@click.command("sample", short_help="Write the fictional sample municipality (Eksempel Kommune).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write into (created if missing).")
@click.option("--citizens", default=300, show_default=True, type=click.IntRange(min=10), help="Number of own citizens.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Random seed; the same seed gives the same files.")
@click.option(
    "--extract-date",
    "extract_dates",
    multiple=True,
    metavar="YYYY-MM-DD",
    help="Write the DSS extract as the books stood on this date (repeat for a monthly series; default: 2026-09-30 and 2026-10-31).",
)
def command(out: str, citizens: int, seed: int, extract_dates: tuple[str, ...]) -> None:
    """Write a coherent fictional municipality ("Eksempel Kommune") to OUT.

    The DSS extracts (Danish CSV, one per extract date: dss-udtraek-YYYY-MM.csv, the books as
    they stood that day), 24-hour schedules, placements, offers, staff, costs, the tariff
    structure and ATA assumptions, and FINDINGS.md listing the planted findings. The same
    options always give byte-identical files. CPR-shaped numbers use the replacement form
    (day + 60) and cannot belong to a real person.

    \b
    Example:
      tariffkit sample --out eksempel --citizens 300 --seed 2026
      tariffkit sample --out serie --extract-date 2026-12-31 --extract-date 2027-01-31 --extract-date 2027-02-28
    """
    from pathlib import Path

    from tariffkit.cli.common import err, parse_date_option
    from tariffkit.errors import UsageError
    from tariffkit.sample import SampleConfig, write_sample

    cfg = SampleConfig(citizens=citizens, seed=seed)
    if extract_dates:
        dates = tuple(sorted({parse_date_option(d, "--extract-date") for d in extract_dates}))
        if dates[0] < cfg.first_month or dates[-1] > cfg.world_end:
            raise UsageError(f"--extract-date: the sample world runs from {cfg.first_month} to {cfg.world_end}")
        cfg = SampleConfig(citizens=citizens, seed=seed, extract_dates=dates)
    paths = write_sample(Path(out), cfg)
    err(f"tariffkit sample: wrote {len(paths)} files to {out}/")
