"""tariffkit: activity-based budgets and tariffs for specialised adult social care.

The Python API mirrors the command line: every command is a thin shell over plain functions
that take and return polars frames. The names below are the API (docs/api.md shows the monthly
check and the annual close from a notebook); they are imported when first used, so
``import tariffkit`` and ``tariffkit --help`` stay fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

# name → module that defines it
_API = {
    # the payments history
    "import_extracts": "tariffkit.dss",
    "ImportOptions": "tariffkit.dss",
    "Mapping": "tariffkit.dss",
    "lines_in_force": "tariffkit.history",
    "snapshot": "tariffkit.history",
    # HÅP (helårspersoner)
    "compute_haap": ("tariffkit.haap", "compute"),
    "HaapOptions": "tariffkit.haap",
    "period_of": "tariffkit.haap",
    # the whole offer
    "occupancy": "tariffkit.placements",
    "billing": "tariffkit.placements",
    # tariffs and their rules
    "price_ata": "tariffkit.ata",
    "build_tariffs": ("tariffkit.tariffs", "build"),
    "parse_structure": "tariffkit.tariffs",
    "Structure": "tariffkit.tariffs",
    "Level": "tariffkit.tariffs",
    "TariffRules": "tariffkit.rules",
    "parse_rules": "tariffkit.rules",
    # the annual close
    "close_year": "tariffkit.close",
    "CloseResult": "tariffkit.close",
    "carries": "tariffkit.close",
    # re-placement from 24-hour schedules
    "reassign": "tariffkit.schedules",
    "reassign_schedules": "tariffkit.schedules",
    "ReassignResult": "tariffkit.schedules",
    "read_schedules": "tariffkit.schedules",
    "parse_lines": "tariffkit.schedules",
    # budgets
    "offer_model": "tariffkit.budget",
    "OfferModelOptions": "tariffkit.budget",
    "authority_budget": "tariffkit.budget",
    "authority_from_haap": "tariffkit.budget",
    "AuthorityAssumptions": "tariffkit.budget",
    "parse_authority": "tariffkit.budget",
    "activity_allocation": "tariffkit.budget",
    "next_year_costs": "tariffkit.budget",
    "expected_haap": "tariffkit.budget",
    # the working folder and its runs
    "load_config": ("tariffkit.config", "load"),
    "find_config": ("tariffkit.config", "find"),
    # errors
    "DataError": "tariffkit.errors",
    "UsageError": "tariffkit.errors",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str):
    import importlib

    where = _API.get(name)
    if where is None:
        raise AttributeError(f"module 'tariffkit' has no attribute {name!r}")
    module, attr = (where, name) if isinstance(where, str) else where
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__():
    return __all__
