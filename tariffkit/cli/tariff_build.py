import click

from tariffkit.cli.common import output_option, warn, writable


@click.command("tariff-build", short_help="Budget-neutral tariffs per function level.")
@click.option("--structure", required=True, metavar="TOML", help="Tariff structure: levels as bands of weekly ATA hours.")
@click.option("--costs", required=True, metavar="FILE", help="Cost lines (costs table).")
@click.option(
    "--haap",
    "haap",
    required=True,
    metavar="FILE",
    help="Expected HÅP per offer and level (expected_haap table; occupancy's or compute-haap --by offer_id,level's output works; reassign's output counts each citizen one HÅP on the new level).",
)
@click.option("--ata-prices", metavar="FILE", help="ata_prices from price-ata, shown on the card for comparison.")
@click.option(
    "--placed-hours",
    metavar="FILE",
    help='reassign\'s output (reassignments table): the hours of the citizens placed on each level, for representative_hours = "mean_of_placed".',
)
@click.option(
    "--representative-hours",
    "rep_hours",
    type=click.Choice(["midpoint", "configured", "mean_of_placed"]),
    help="Override the structure's representative_hours (to compare variants).",
)
@click.option("--offers", metavar="FILE", help="Offers table (places): the card then shows the assumed occupancy = expected HÅP / places.")
@click.option("--year", required=True, type=click.IntRange(1900, 2200), help="Tariff year.")
@click.option(
    "--basis",
    type=click.Choice(["actual", "budget", "tariff_budget", "forecast"]),
    default="tariff_budget",
    show_default=True,
    help="Which cost basis the tariffs are set on.",
)
@click.option(
    "--carry-cap",
    type=click.FloatRange(min=0),
    metavar="SHARE",
    help="A result two years earlier within ±SHARE of the cost basis stays with the offer (e.g. 0.05).",
)
@click.option(
    "--rules",
    metavar="TOML",
    help="Tariff rules (the rammeaftale's): rounding, central overhead, assumed occupancy, the levels and 5+ rule they require; named on the card.",
)
@click.option(
    "--portal",
    metavar="FILE",
    help="Also write the Tilbudsportalen figures per offer and level (.csv Danish, or .xlsx): tariff per year and day, assumed occupancy, places.",
    callback=writable,
)
@click.option(
    "--results",
    metavar="FILE",
    help="results table from close-year: the results it carries into --year enter the tariff basis (instead of a typed-in carried result).",
)
@output_option()
@click.option("--card", metavar="TOML", help="Also write a human-readable tariff card per offer.", callback=writable)
@click.pass_context
def command(ctx, structure, costs, haap, ata_prices, placed_hours, rep_hours, offers, year, basis, carry_cap, rules, portal, results, output, card):
    """Set each level's tariff so that expected income covers the tariff basis exactly.

    tariff basis = the year's cost basis + the result of two years earlier (typed into the
    costs, or carried by close-year's results table with --results). Each tariff = a
    fixed part per place + an ATA part proportional to the level's hours. Tariffs are whole
    kroner; the rounding residue is reported (below 1 kr per expected citizen).

    A level's representative hours are the band midpoint, a configured value, or with
    representative_hours = "mean_of_placed" the mean hours of the citizens placed there
    (--placed-hours: reassign's output, which can be made without --tariffs).

    \b
    Example:
      tariffkit tariff-build --structure levels.toml --costs costs.csv --haap haap.parquet \\
          --year 2026 -o tariffs.parquet --card tariffs.toml --offers offers.csv
    """

    import polars as pl

    from tariffkit import io as tio
    from tariffkit.cli.common import err, params_for_provenance
    from tariffkit.contracts import EXPECTED_HAAP, conform
    from tariffkit.danish import format_kr
    from tariffkit.errors import DataError
    from tariffkit.tariffs import build, card_toml, parse_structure
    from tariffkit.tariffs import placed_hours as tariffs_placed_hours

    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    settings = tio.read_toml(structure, inputs)
    if rep_hours:
        settings["representative_hours"] = rep_hours
    st = parse_structure(settings, file=structure)
    co = tio.read_table(costs, inputs, contract="costs")
    h = tio.read_table(haap, inputs)
    hf = tio.label_of(haap)
    if "new_level" in h.columns and "hours_counted" in h.columns:  # reassign's output: each citizen on a schedule one HÅP at the new level
        from tariffkit.tariffs import expected_from_reassignments

        h = expected_from_reassignments(h)
    if "period" in h.columns and h["period"].n_unique() > 1:
        raise DataError(
            f"expected HÅP for one period, found {h['period'].n_unique()} ({', '.join(sorted(h['period'].unique().to_list())[:4])} …); run compute-haap with --year",
            file=hf,
            column="period",
        )
    if st.scope == "common" and "offer_id" not in h.columns:
        h = h.with_columns(offer_id=pl.lit("*"))
    h = conform(h, EXPECTED_HAAP, file=hf, check_key=False)
    ap = tio.read_table(ata_prices, inputs, contract="ata_prices") if ata_prices else None
    placed = None
    if placed_hours:
        if st.representative_hours != "mean_of_placed":
            err(f"tariffkit: warning: --placed-hours is not used: the structure's representative_hours is {st.representative_hours}")
        else:
            placed = tariffs_placed_hours(tio.read_table(placed_hours, inputs, contract="reassignments"), st)
    of = tio.read_table(offers, inputs, contract="offers") if offers else None
    res = tio.read_table(results, inputs, contract="results") if results else None
    tr = None
    if rules:
        from tariffkit.rules import check_structure, read_rules

        tr = read_rules(rules, inputs)
        check_structure(tr, st, tio.label_of(structure))
    places = {} if of is None else {o: int(p) for o, p in of.select("offer_id", "places").iter_rows() if p}
    if portal and of is None:
        from tariffkit.errors import UsageError

        raise UsageError("--portal needs --offers (the places and names the portal shows)")
    tariffs, built = build(
        st,
        co,
        h,
        year,
        basis=basis,
        carry_cap=carry_cap,
        file_costs=tio.label_of(costs),
        file_haap=hf,
        placed=placed,
        results=res,
        file_results=tio.label_of(results) if results else "results",
        rules=tr,
        places=places,
    )
    places_of: dict = {}
    if of is not None:
        for o, p in of.select("offer_id", "places").iter_rows():
            places_of.setdefault(o, p)
    for r in built:
        warn(r.warnings)
        n_places = places_of.get(r.offer_id)
        occ = f", assumed occupancy {format_kr(100 * r.expected_haap / n_places, 1)} % of {n_places} places" if n_places else ""
        if len(built) > 20:  # a national run: one summary line below, not a line per offer
            continue
        err(
            f"{r.offer_id} {year}: tariff basis {format_kr(r.tariff_basis)} kr, expected income {format_kr(r.expected_income, 2)} kr "
            f"({format_kr(r.expected_haap, 2)} HÅP{occ}), residue {format_kr(r.residue, 2)} kr"
        )
    if len(built) > 20:
        from decimal import Decimal

        worst = max(built, key=lambda r: (abs(r.residue), r.offer_id))
        err(
            f"{len(built)} offers {year}: tariff basis {format_kr(sum((r.tariff_basis for r in built), Decimal(0)))} kr, "
            f"expected income {format_kr(sum((r.expected_income for r in built), Decimal(0)), 2)} kr; the largest residue "
            f"{format_kr(worst.residue, 2)} kr ({worst.offer_id})"
        )
    for extra in (card, portal):
        if extra:
            tio.check_not_an_input(extra, inputs)
    tio.write_table(tariffs, target, command="tariff-build", options=params_for_provenance(ctx), inputs=inputs)
    if card:
        from tariffkit.rules import TODAY

        tio.write_text(card, card_toml(built, st, ap, of, rules=tr or TODAY, inputs=inputs.entries), inputs)
    if portal:
        from tariffkit.export import csv_bytes, xlsx_bytes
        from tariffkit.tariffs import portal_table

        table = portal_table(tariffs, built, of)
        tio.write_bytes(portal, xlsx_bytes(table, sheet="Tilbudsportalen") if portal.lower().endswith(".xlsx") else csv_bytes(table), inputs)
