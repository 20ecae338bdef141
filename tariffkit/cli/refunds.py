import click

from tariffkit.cli.common import output_option


@click.command("refunds", short_help="State refunds for very expensive single cases: recorded and estimated (§ 176).")
@click.argument("payments")
@click.option("--rules", required=True, metavar="TOML", help="The year's thresholds and shares, with their source (see sample-data/refusion-2026.toml).")
@click.option("--known-at", metavar="YYYY-MM-DD", help="Read the payments history as it stood on this date.")
@output_option()
@click.pass_context
def command(ctx, payments, rules, known_at, output):
    """Per citizen and year: the gross expense (refunds excluded, as BDO's expense), the refund
    recorded in the payments (lines of kind refund) and the refund the rules give:
    Σ share × (min(gross, next threshold) − threshold), rounded once to the øre.

    tariffkit has no refund numbers built in: the rules file names the year, the thresholds,
    the shares and where they come from.

    \b
    Example:
      tariffkit refunds payments.parquet --rules refusion-2026.toml -o refusion-2026.parquet
    """
    from tariffkit import io as tio
    from tariffkit.cli.common import err, params_for_provenance, parse_date_option
    from tariffkit.contracts import PAYMENTS, conform
    from tariffkit.danish import format_kr
    from tariffkit.refunds import estimate, parse_rules

    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    r = parse_rules(tio.read_toml(rules, inputs), file=rules)
    pay = conform(tio.read_table(payments, inputs), PAYMENTS, file=tio.label_of(payments), check_key=False)
    out = estimate(pay, r, known_at=parse_date_option(known_at, "--known-at") if known_at else None)
    tio.write_table(out, target, command="refunds", options=params_for_provenance(ctx), inputs=inputs)
    err(
        f"refunds {r.year}: {out.height} citizens; recorded {format_kr(out['refund_recorded'].sum())} kr, "
        f"estimated {format_kr(out['refund_estimated'].sum())} kr ({r.source})"
    )
