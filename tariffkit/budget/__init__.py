"""The offer-specific budget model (BDO's *tilbudsspecifikke budgetmodel*, Bilag 1), the
activity-based allocation with a transition, and the authority-side budget.

Offer model, per offer, for each basis of the budget year Y (``actual`` and ``budget`` of Y−1,
``budget``, ``tariff_budget`` and ``forecast`` of Y) and for the out-years Y+1…Y+N:

    cost_basis (*årets udgiftsgrundlag*) = Σ cost lines except the carried result
    tariff_basis (*takstberegningsgrundlag*) = cost_basis + result_two_years_earlier
    income = Σ_level HÅP × annual tariff + 5+ supplements (supplement hours × price per weekly hour)
    expected_result = income − tariff_basis           (negative = a deficit)
    place_price_year = tariff_basis / places;  place_price_year_incl_result = (tariff_basis −
        expected_result) / places (BDO's forecast column); per day = / 365
    out-year k: every cost line × Π(1 + PL) over the years up to Y+k, no carried result,
        income held at the forecast's income (BDO's printed model), or with ``index_income``
        (income − the carried result it covered) × the same Π(1 + PL), whole kroner: the tariffs
        follow the index, and the one-off carry of two years earlier is not repeated. With
        ``rules`` (a rules file, :mod:`tariffkit.rules`), each out-year's tariff basis carries
        the expected result of year k − offset (the base year's, or an earlier out-year's; a
        closed year's from the results table) split by the rules; with ``index_income`` the
        income covers it too (the tariffs are set on their basis), with held income it does not

All money is exact Decimal; lines are rounded to the øre, prices per place and the
calculators' kroner to whole kroner (half away from zero). Output: the tidy ``budget`` table
(offer_id, year, basis, line, label, unit, value, text).

The parts, one module each: :mod:`.offer` (the offer model), :mod:`.income` (the rules it
shares with the annual close: income from places, the year-on-year split, next year's costs),
:mod:`.allocation` and :mod:`.authority`. Everything is importable from here.
"""

from tariffkit.budget.allocation import activity_allocation, frame_budgets
from tariffkit.budget.authority import AuthorityAssumptions, authority_budget, authority_from_haap, parse_authority
from tariffkit.budget.income import PlaceIncome, _haap_by_level, _PerOffer, expected_haap, next_year_costs, place_income, year_on_year
from tariffkit.budget.offer import CATEGORY_LABELS, LINES, OfferModelOptions, offer_model
from tariffkit.money import D0, ORE, dec, kr, ore
from tariffkit.rates import parse_pl

__all__ = [
    "CATEGORY_LABELS",
    "D0",
    "LINES",
    "ORE",
    "AuthorityAssumptions",
    "OfferModelOptions",
    "PlaceIncome",
    "_PerOffer",
    "_haap_by_level",
    "activity_allocation",
    "authority_budget",
    "authority_from_haap",
    "dec",
    "expected_haap",
    "frame_budgets",
    "kr",
    "next_year_costs",
    "offer_model",
    "ore",
    "parse_authority",
    "parse_pl",
    "place_income",
    "year_on_year",
]
