"""Shared I/O for every command: reading Parquet/CSV/Excel, stdin/stdout, atomic writes and
provenance metadata.

Rules every command gets from here:

* ``-`` as an input reads Parquet from stdin (buffered: Parquet needs random access).
* Output goes to ``-o FILE``; without ``-o`` (or with ``-o -``) to stdout when stdout is not a
  terminal. Binary Parquet is never written to a terminal.
* Writes are atomic: a temp file in the target folder, fsync, then ``os.replace``. On any error
  the previous file is untouched and the temp file removed.
* A command never writes over one of its own inputs.
* Parquet outputs carry provenance in the key-value metadata (tariffkit version, command,
  options and the SHA-256 of every input) and no timestamps, so identical inputs and options
  give byte-identical files.

The parts: :mod:`.sources` (the inputs, hashed once; settings files), :mod:`.reading` (CSV,
Excel, Parquet into tables) and :mod:`.writing` (provenance, atomic writes, stdout). Everything
is importable from here, as ``from tariffkit import io as tio``.
"""

from tariffkit.io.reading import (
    NotUtf8,
    check_unique_headers,
    decode,
    read_csv_text,
    read_parquet_bytes,
    read_table,
    read_xlsx_text,
    scan_csv_text,
    scan_parquet_file,
    sniff_kind,
)
from tariffkit.io.sources import BOM, PARQUET_OPTIONS, STDIO, Inputs, label_of, read_bytes, read_head, read_toml, register_file, sha256_file
from tariffkit.io.writing import (
    atomic_write,
    check_not_an_input,
    iter_paths,
    parquet_bytes,
    provenance,
    publish,
    read_provenance,
    resolve_output,
    scratch_files,
    stdout_is_terminal,
    write_bytes,
    write_table,
    write_text,
)

__all__ = [
    "BOM",
    "PARQUET_OPTIONS",
    "STDIO",
    "Inputs",
    "NotUtf8",
    "atomic_write",
    "check_not_an_input",
    "check_unique_headers",
    "decode",
    "iter_paths",
    "label_of",
    "parquet_bytes",
    "provenance",
    "publish",
    "read_bytes",
    "read_csv_text",
    "read_head",
    "read_parquet_bytes",
    "read_provenance",
    "read_table",
    "read_toml",
    "read_xlsx_text",
    "register_file",
    "resolve_output",
    "scan_csv_text",
    "scan_parquet_file",
    "scratch_files",
    "sha256_file",
    "sniff_kind",
    "stdout_is_terminal",
    "write_bytes",
    "write_table",
    "write_text",
]
