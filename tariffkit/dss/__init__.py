"""Import of DSS payment extracts (*DSS-udtræk*) into the payments history.

* :mod:`tariffkit.dss.mapping`: how an export's columns map to tariffkit's fields;
* :mod:`tariffkit.dss.plan`: one extract parsed, checked, pseudonymised and reconciled in one
  streaming pass;
* :mod:`tariffkit.dss.extracts`: extracts applied to the history as snapshots
  (:func:`import_extracts`, what ``import-dss`` runs).
"""

from tariffkit.dss.extracts import ImportOptions, ImportResult, SnapshotChange, import_extracts
from tariffkit.dss.mapping import CONTENT, FIELDS, REQUIRED, Mapping, init_mapping_toml
from tariffkit.dss.plan import FileReport, PlanResult, decide_extract_date, import_frame, plan_import, run_import

__all__ = [
    "CONTENT",
    "FIELDS",
    "REQUIRED",
    "FileReport",
    "ImportOptions",
    "ImportResult",
    "Mapping",
    "PlanResult",
    "SnapshotChange",
    "decide_extract_date",
    "import_extracts",
    "import_frame",
    "init_mapping_toml",
    "plan_import",
    "run_import",
]
