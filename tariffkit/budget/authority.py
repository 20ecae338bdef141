"""The authority-side budget (*myndighedsbudget*) per group from the HÅP history."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from tariffkit.errors import DataError


@dataclass(frozen=True)
class AuthorityAssumptions:
    pl_rate: float = 0.03
    price_growth: float = 0.0
    expected_haap: dict[str, float] = field(default_factory=dict)  # group key → HÅP
    growth: dict[str, float] = field(default_factory=dict)  # group key → price growth override


def parse_authority(d: dict, file: str = "assumptions") -> AuthorityAssumptions:
    known = {"pl_rate", "price_growth", "groups"}
    for k in d:
        if k not in known:
            raise DataError(f"unknown setting {k!r}; known: {', '.join(sorted(known))}", file=file)
    exp, gr = {}, {}
    for key, g in (d.get("groups") or {}).items():
        if "expected_haap" in g:
            exp[key] = float(g["expected_haap"])
        if "price_growth" in g:
            gr[key] = float(g["price_growth"])
    return AuthorityAssumptions(float(d.get("pl_rate", 0.03)), float(d.get("price_growth", 0.0)), exp, gr)


def authority_budget(history: pl.DataFrame, forecast: pl.DataFrame | None, by: list[str], year: int, a: AuthorityAssumptions) -> pl.DataFrame:
    """Per group: budget = expected HÅP × average price × (1 + price growth) × (1 + PL), from the
    last full year of the history before ``year``; with a forecast (compute-haap --as-of for
    ``year``), the deviation split into volume and price effects, which add up exactly:

        volume = (forecast HÅP − budget HÅP) × budget price
        price  = (forecast price − budget price) × forecast HÅP
    """
    from tariffkit.contracts import AUTHORITY

    base_year = str(year - 1)
    h = history.filter(pl.col("period") == base_year)
    if h.height == 0:
        raise DataError(
            f"the HÅP history has no rows for {base_year} (the base year before {year}); run compute-haap --year {base_year}", file="haap", column="period"
        )
    key = pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in by], separator="|") if by else pl.lit("all")
    h = h.with_columns(group_key=key)
    exp_map, gr_map = a.expected_haap, a.growth
    rows = []
    for r in h.sort("group_key").iter_rows(named=True):
        k = r["group_key"]
        base_haap = float(r["haap"])
        base_price = float(r["average_price"]) if r["average_price"] is not None else 0.0
        haap_b = exp_map.get(k, base_haap)
        growth = gr_map.get(k, a.price_growth)
        price_b = round(base_price * (1 + growth) * (1 + a.pl_rate), 2)
        rows.append(
            {
                **{c: r[c] for c in by},
                "group_key": k,
                "year": year,
                "base_haap": base_haap,
                "base_average_price": base_price,
                "price_growth": growth,
                "pl_rate": a.pl_rate,
                "budget_haap": haap_b,
                "budget_average_price": price_b,
                "budget": round(haap_b * price_b, 0),
            }
        )
    for k in set(exp_map) - set(h["group_key"].to_list()):
        raise DataError(f"the assumptions name group {k!r}, which the history for {base_year} does not have", file="assumptions", column="groups")
    out = pl.DataFrame(rows)
    if forecast is not None:
        f = forecast.with_columns(group_key=key).select(
            "group_key", pl.col("haap").alias("forecast_haap"), pl.col("expense").cast(pl.Float64).alias("forecast")
        )
        out = out.join(f, on="group_key", how="full", coalesce=True).with_columns(
            pl.col("year").fill_null(year),
            pl.col("budget_haap").fill_null(0.0),
            pl.col("budget_average_price").fill_null(0.0),
            pl.col("budget").fill_null(0.0),
            pl.col("forecast_haap").fill_null(0.0),
            pl.col("forecast").fill_null(0.0),
        )
        out = (
            out.with_columns(
                forecast_average_price=pl.when(pl.col("forecast_haap") > 0).then(pl.col("forecast") / pl.col("forecast_haap")),
                deviation=pl.col("forecast") - pl.col("budget"),
            )
            .with_columns(
                # to the øre, half away from zero: the same computation and rounding as the monthly report's
                volume_effect=((pl.col("forecast_haap") - pl.col("budget_haap")) * pl.col("budget_average_price") * 100).round(0, mode="half_away_from_zero")
                / 100,
            )
            .with_columns(
                # the price effect takes the rest, so the two add up to the deviation to the krone
                price_effect=pl.col("deviation") - pl.col("volume_effect"),
            )
        )
    else:
        out = out.with_columns(forecast_haap=None, forecast=None, forecast_average_price=None, deviation=None, volume_effect=None, price_effect=None)
    money = ["base_average_price", "budget_average_price", "budget", "forecast", "forecast_average_price", "deviation", "volume_effect", "price_effect"]
    out = out.with_columns([pl.col(c).cast(pl.Float64).round(2).cast(pl.Decimal(18, 2)) for c in money])
    if forecast is not None:  # exact in Decimal: the two effects add up to the deviation to the øre
        out = out.with_columns(deviation=pl.col("forecast") - pl.col("budget")).with_columns(price_effect=pl.col("deviation") - pl.col("volume_effect"))
    cols = by + [c for c in AUTHORITY.names if c not in by]
    return out.select(cols).cast({c: dt for c, dt in AUTHORITY.schema.items()}).sort(["group_key"])
