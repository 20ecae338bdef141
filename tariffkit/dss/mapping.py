"""How a DSS extract's layout maps to tariffkit's fields: the mapping TOML."""

from __future__ import annotations

from dataclasses import dataclass, field

from tariffkit.errors import DataError

FIELDS = (
    "cpr",
    "name",
    "case_id",
    "caseworker",
    "offer_id",
    "offer_name",
    "provider",
    "paragraph",
    "function",
    "level",
    "service_from",
    "service_to",
    "amount",
    "kind",
    "extract_date",
)
REQUIRED = tuple(f for f in FIELDS if f not in ("name", "level", "extract_date"))
CONTENT = (
    "citizen_id",
    "case_id",
    "caseworker",
    "offer_id",
    "offer_name",
    "provider",
    "paragraph",
    "function",
    "level",
    "service_from",
    "service_to",
    "amount",
    "kind",
)
DUPLICATE_KEY = ("citizen_id", "offer_id", "level", "service_from", "service_to", "amount", "kind")  # ⊂ CONTENT


@dataclass
class Mapping:
    """How an extract's layout maps to the canonical fields (the mapping TOML)."""

    columns: dict[str, str] = field(
        default_factory=lambda: {
            "cpr": "CPR-nr.",
            "name": "Navn",
            "case_id": "Sagsnr.",
            "caseworker": "Sagsbehandler",
            "offer_id": "Tilbudsnr.",
            "offer_name": "Tilbud",
            "provider": "Leverandørtype",
            "paragraph": "Paragraf",
            "function": "Funktion",
            "level": "Funktionsniveau",
            "service_from": "Periode fra",
            "service_to": "Periode til",
            "amount": "Beløb",
            "kind": "Type",
        }
    )
    date_formats: list[str] = field(default_factory=lambda: ["%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"])
    decimal: str = ","
    thousands: str = "."
    encoding: str = ""  # empty = detect (UTF-8, UTF-8 with BOM, else Windows-1252)
    separator: str = ";"
    header_row: int = 1
    skip_rows_starting_with: list[str] = field(default_factory=lambda: ["I alt", "Total"])
    value_maps: dict[str, dict[str, str]] = field(
        default_factory=lambda: {
            "provider": {"Intern": "internal", "Ekstern": "external"},
            "kind": {"Forbrug": "actual", "Disposition": "commitment", "Refusion": "refund", "Statsrefusion": "refund"},
        }
    )
    min_level: int = 1
    max_level: int = 5

    @classmethod
    def from_dict(cls, d: dict, file: str = "mapping") -> Mapping:
        m = cls()
        known = set(m.__dataclass_fields__)
        from tariffkit.settings_checks import check_keys

        check_keys(d, known, file)
        for k, v in d.items():
            if k == "columns":
                if not isinstance(v, dict):
                    raise DataError('[columns] must be a table of field = "source column"', file=file)
                for f, c in v.items():
                    if not isinstance(c, str):
                        raise DataError(f"columns.{f} must be the source column's name in quotes, found {c!r}", file=file, column=f"columns.{f}")
                # [columns] changes the built-in layout where it says so; "" removes an optional field
                v = {f: c for f, c in {**m.columns, **v}.items() if c != ""}
            else:
                default = getattr(m, k)
                if default is not None and (type(v) is not type(default) and not (isinstance(default, float) and type(v) is int)):
                    raise DataError(
                        f"{k} must be {type(default).__name__.replace('str', 'text').replace('int', 'a whole number')}, found {v!r}", file=file, column=k
                    )
            setattr(m, k, v)
        unknown = sorted(set(m.columns) - set(FIELDS))
        if unknown:
            raise DataError(f"[columns] names unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}", file=file, column=f"columns.{unknown[0]}")
        missing = [f for f in REQUIRED if f not in m.columns]
        if missing:
            raise DataError(f"[columns] has no source column for required field {missing[0]!r}", file=file, column=missing[0])
        return m

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def init_mapping_toml() -> str:
    """A commented mapping template of the built-in layout, for ``--init-mapping``."""
    import tomli_w

    head = """\
# tariffkit import-dss mapping: how a DSS extract's columns map to tariffkit's fields.
# Start from this file (the built-in layout) and change what differs in your export:
#
#   columns          source column (header text) for each field; `name` is read only to be dropped;
#                    add `extract_date = "Udtræksdato"` when the export has a column with the
#                    extract's date (one value for the whole file). Fields you leave out keep
#                    the built-in column; "" removes an optional one (name, level)
#   date_formats     strftime formats tried in order (%d-%m-%Y = 31-12-2025); Excel dates always work
#   decimal          decimal separator in amounts (",")
#   thousands        thousands separator in amounts (".", or "" for none)
#   encoding         "" = detect (UTF-8, UTF-8 with BOM, else Windows-1252), or e.g. "latin-1"
#   separator        CSV field separator (";")
#   header_row       line number of the header row (rows above it are skipped)
#   skip_rows_starting_with   rows whose first non-empty cell starts with one of these are
#                    skipped, e.g. total rows ("I alt"); they are counted in the summary
#   value_maps       source value -> tariffkit value for provider (internal/external) and
#                    kind (actual/commitment/refund: a state refund line, Serviceloven § 176)
#   min_level, max_level      the function levels in use
#
# Use it with:  tariffkit import-dss extract.csv --mapping this-file.toml -o payments.parquet

"""
    return head + tomli_w.dumps(Mapping().to_dict())
