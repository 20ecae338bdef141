"""Table contracts: the column names, types, nullability, meaning and unit of every table the
commands exchange. One source of truth, rendered to ``docs/data-contracts.md`` by
``tariffkit schema --markdown`` and enforced by :func:`conform` on every input.

Money is ``Decimal(18,2)`` DKK, never float. Column names are English snake_case.

* :mod:`~tariffkit.contracts.model`: what a contract is (``Table``, ``Column``, ``TABLES``);
* :mod:`~tariffkit.contracts.tables`: every table;
* :mod:`~tariffkit.contracts.check`: :func:`find_problems` and :func:`conform`;
* :mod:`~tariffkit.contracts.markdown`: the rendering for the docs.
"""

from tariffkit.contracts.check import DATE_RANGE, conform, dates_out_of_range, find_problems, safe_value
from tariffkit.contracts.markdown import all_markdown, dtype_name, to_markdown
from tariffkit.contracts.model import BASES, COST_GROUPS, KINDS, ORIGINS, PROVIDERS, STAFF_CATEGORIES, TABLES, Column, Table
from tariffkit.contracts.tables import (
    ALLOCATION,
    ATA_PRICES,
    AUTHORITY,
    BILLING,
    BUDGET,
    COSTS,
    EXPECTED_HAAP,
    HAAP,
    HAAP_BUDGET,
    KEY_FIGURES,
    OCCUPANCY,
    OFFERS,
    PAYMENTS,
    PLACEMENTS,
    PORTFOLIO,
    PORTFOLIO_SUMMARY,
    REASSIGN_OFFERS,
    REASSIGNMENTS,
    RECONCILIATION,
    REJECTS,
    RESULTS,
    SCHEDULES,
    SERVICE_LEVELS,
    SETTLEMENT,
    STAFF,
    TARIFFS,
)

__all__ = [
    "BASES",
    "COST_GROUPS",
    "DATE_RANGE",
    "KINDS",
    "ORIGINS",
    "PROVIDERS",
    "STAFF_CATEGORIES",
    "TABLES",
    "Column",
    "Table",
    "all_markdown",
    "conform",
    "dates_out_of_range",
    "dtype_name",
    "find_problems",
    "safe_value",
    "to_markdown",
    "PAYMENTS",
    "REJECTS",
    "SCHEDULES",
    "STAFF",
    "COSTS",
    "OFFERS",
    "PLACEMENTS",
    "OCCUPANCY",
    "RECONCILIATION",
    "BILLING",
    "RESULTS",
    "SETTLEMENT",
    "TARIFFS",
    "EXPECTED_HAAP",
    "HAAP",
    "ATA_PRICES",
    "REASSIGNMENTS",
    "REASSIGN_OFFERS",
    "SERVICE_LEVELS",
    "BUDGET",
    "ALLOCATION",
    "AUTHORITY",
    "PORTFOLIO",
    "PORTFOLIO_SUMMARY",
    "KEY_FIGURES",
    "HAAP_BUDGET",
]
