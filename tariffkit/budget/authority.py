"""The authority-side budget (*myndighedsbudget*) per group from the HÅP history."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from tariffkit.errors import DataError
from tariffkit.settings_checks import check_keys


@dataclass(frozen=True)
class AuthorityAssumptions:
    """The authority budget's assumptions: the PL rate, the price growth, and per group (its key,
    the ``by`` values joined by ``|``) an expected HÅP and a price growth of its own."""

    pl_rate: float = 0.03
    price_growth: float = 0.0
    expected_haap: dict[str, float] = field(default_factory=dict)  # group key → HÅP
    growth: dict[str, float] = field(default_factory=dict)  # group key → price growth override


def parse_authority(d: dict, file: str = "assumptions") -> AuthorityAssumptions:
    """The assumptions TOML (``pl_rate``, ``price_growth``, ``[groups."<key>"]`` with
    ``expected_haap`` and ``price_growth``) as :class:`AuthorityAssumptions`; an unknown
    setting is refused."""
    known = {"pl_rate", "price_growth", "groups"}
    check_keys(d, known, file)
    exp, gr = {}, {}
    for key, g in (d.get("groups") or {}).items():
        if "expected_haap" in g:
            exp[key] = float(g["expected_haap"])
        if "price_growth" in g:
            gr[key] = float(g["price_growth"])
    return AuthorityAssumptions(float(d.get("pl_rate", 0.03)), float(d.get("price_growth", 0.0)), exp, gr)


def authority_budget(
    history: pl.DataFrame, forecast: pl.DataFrame | None, by: list[str], year: int, a: AuthorityAssumptions, file: str = "haap"
) -> pl.DataFrame:
    """Per group: budget = expected HÅP × average price × (1 + price growth) × (1 + PL), from the
    last full year of the history before ``year``; with a forecast (compute-haap --as-of for
    ``year``), the deviation split into volume and price effects, which add up exactly:

        volume = (forecast HÅP − budget HÅP) × budget price
        price  = (forecast price − budget price) × forecast HÅP   (the rest of the deviation)

    Money is exact Decimal, rounded once each, half away from zero (:mod:`tariffkit.money`): the
    budget price to the øre, the budget to whole kroner, the forecast price and the volume
    effect to the øre; the price effect is the deviation less the volume effect, so the two add
    up to the deviation to the øre. The assumptions' rates and HÅP are read as the decimals they
    are written as (0.03 is 3/100, never its binary float)."""
    from tariffkit.contracts import AUTHORITY
    from tariffkit.money import D0, dec, kr, ore

    base_year = str(year - 1)
    h = history.filter(pl.col("period") == base_year)
    if h.height == 0:
        raise DataError(
            f"the HÅP history has no rows for {base_year} (the base year before {year}); run compute-haap `year` {base_year}", file=file, column="period"
        )
    key = pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in by], separator="|") if by else pl.lit("all")
    h = h.with_columns(group_key=key)
    exp_map, gr_map = a.expected_haap, a.growth
    pl_rate = dec(a.pl_rate)
    rows: dict[str, dict] = {}
    for r in h.sort("group_key").iter_rows(named=True):
        k = r["group_key"]
        base_haap = dec(r["haap"])
        base_price = dec(r["average_price"]) if r["average_price"] is not None else D0
        haap_b = dec(exp_map[k]) if k in exp_map else base_haap
        growth = dec(gr_map.get(k, a.price_growth))
        price_b = ore(base_price * (1 + growth) * (1 + pl_rate))
        rows[k] = {
            **{c: r[c] for c in by},
            "group_key": k,
            "year": year,
            "base_haap": float(base_haap),
            "base_average_price": base_price,
            "price_growth": float(growth),
            "pl_rate": float(pl_rate),
            "budget_haap": float(haap_b),
            "budget_average_price": price_b,
            "budget": kr(haap_b * price_b),
            "_haap_b": haap_b,
        }
    for k in sorted(set(exp_map) - set(rows)):
        raise DataError(f"the assumptions name group {k!r}, which the history for {base_year} does not have", file="assumptions", column="groups")
    empty = {"forecast_haap": None, "forecast": None, "forecast_average_price": None, "deviation": None, "volume_effect": None, "price_effect": None}
    for row in rows.values():
        row.update(empty)
    if forecast is not None:
        f = forecast.with_columns(group_key=key)
        for r in f.iter_rows(named=True):
            k = r["group_key"]
            found = rows.get(k)
            if found is not None:
                row = found
            else:  # a group with a forecast and no budget: budget 0
                row = rows[k] = {**{c: r.get(c) for c in by}, "group_key": k, "year": year, "base_haap": None, "base_average_price": None}
                row.update(price_growth=None, pl_rate=None, budget_haap=0.0, budget_average_price=D0, budget=D0, _haap_b=D0)
            f_haap = dec(r["haap"]) if r["haap"] is not None else D0
            f_exp = dec(r["expense"]) if r["expense"] is not None else D0
            deviation = f_exp - row["budget"]
            # no budget price (a group new this year): its citizens are all unbudgeted volume
            volume = ore((f_haap - row["_haap_b"]) * row["budget_average_price"]) if row["base_average_price"] is not None else deviation
            row.update(
                forecast_haap=float(f_haap),
                forecast=f_exp,
                forecast_average_price=ore(f_exp / f_haap) if f_haap > 0 else None,
                deviation=deviation,
                volume_effect=volume,
                price_effect=deviation - volume,
            )
        for row in rows.values():  # a group with a budget and no forecast: forecast 0
            if row["forecast"] is None:
                row.update(forecast_haap=0.0, forecast=D0, deviation=-row["budget"])
                row.update(volume_effect=ore(-row["_haap_b"] * row["budget_average_price"]))
                row.update(price_effect=row["deviation"] - row["volume_effect"])
    cols = by + [c for c in AUTHORITY.names if c not in by]
    schema = {**{c: h.schema[c] for c in by}, **{c: dt for c, dt in AUTHORITY.schema.items() if c not in by}}
    data = {c: [row.get(c) for row in rows.values()] for c in cols}
    return pl.DataFrame(data, schema={c: schema[c] for c in cols}).sort(["group_key"])


def authority_from_haap(
    history: pl.DataFrame,
    forecast: pl.DataFrame | None,
    year: int,
    assumptions: AuthorityAssumptions | None = None,
    files: tuple[str, str] = ("haap", "forecast"),
) -> pl.DataFrame:
    """:func:`authority_budget` on compute-haap's tables as they are: the groups are the
    history's own grouping columns (the ``by`` it was computed with), the forecast must have the
    same ones, and a forecast with several periods is taken for ``year``. ``files`` name the two
    tables in errors."""
    from tariffkit.contracts import HAAP

    for c in ("period", "haap", "average_price", "expense"):
        if c not in history.columns:
            raise DataError(f"missing column {c}: expected the haap table from compute-haap", file=files[0], column=c)
    by = [c for c in history.columns if c not in HAAP.names and c not in ("expense_before", "budget_haap")]
    if forecast is not None:
        missing = [c for c in by if c not in forecast.columns]
        if missing:
            raise DataError(f"the forecast lacks the history's grouping column {missing[0]} (its `by`)", file=files[1], column=missing[0])
        if "period" in forecast.columns:
            forecast = forecast.filter(pl.col("period") == str(year))
    return authority_budget(history, forecast, by, year, assumptions or AuthorityAssumptions(), file=files[0])
