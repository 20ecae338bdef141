import click


@click.command("sample", short_help="Write the fictional sample municipality (Eksempel Kommune).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write into (created if missing).")
@click.option("--citizens", default=300, show_default=True, type=click.IntRange(min=10), help="Number of own citizens.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Random seed; the same seed gives the same files.")
def command(out: str, citizens: int, seed: int) -> None:
    """Write a coherent fictional municipality ("Eksempel Kommune") to OUT.

    The DSS extract (Danish CSV), 24-hour schedules, placements, offers, staff, costs, the tariff
    structure and ATA assumptions, and FINDINGS.md listing the planted findings. The same
    --citizens and --seed always give byte-identical files. CPR-shaped numbers use the
    replacement form (day + 60) and cannot belong to a real person.

    \b
    Example:
      tariffkit sample --out eksempel --citizens 300 --seed 2026
    """
    from pathlib import Path

    from tariffkit.cli.common import err
    from tariffkit.sample import SampleConfig, write_sample

    paths = write_sample(Path(out), SampleConfig(citizens=citizens, seed=seed))
    err(f"tariffkit sample: wrote {len(paths)} files to {out}/")
