"""The pseudonymisation key: from ``--key-file`` or ``$TARIFFKIT_KEY``."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from tariffkit.errors import UsageError

MIN_KEY_LENGTH = 16


def load_key(key_file: str | None, warn: Callable[[str], None] | None = None) -> bytes:
    """Read the key. Lines starting with ``#`` in a key file are comments. Refuses a missing or
    short key with a hint, and a key file that group or others can read or write (with the
    ``chmod`` that fixes it)."""
    if key_file:
        p = Path(key_file)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read the key file {key_file}: {e.strerror}") from None
        mode = p.stat().st_mode
        if mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
            raise UsageError(
                f"the key file {key_file} is readable by others: whoever reads it can reverse the pseudonyms. Make it yours alone: chmod 600 {key_file}"
            )
        key = "".join(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
        where = f"the key file {key_file}"
    else:
        key = os.environ.get("TARIFFKIT_KEY", "").strip()
        where = "$TARIFFKIT_KEY"
        if not key:
            raise UsageError(
                "no pseudonymisation key: give --key-file FILE or set TARIFFKIT_KEY. "
                'Create one once per municipality, e.g.: python -c "import secrets; print(secrets.token_hex(32))" > kommune.key; chmod 600 kommune.key'
            )
    if len(key) < MIN_KEY_LENGTH:
        raise UsageError(f"{where} holds a key of {len(key)} characters; at least {MIN_KEY_LENGTH} are needed")
    return key.encode("utf-8")


def check_same_key(key: bytes, payments_path: str) -> None:
    """The key must be the one the payments history was made with (its recorded fingerprint), or
    the placements' and schedules' pseudonyms would not match the payments'."""
    from tariffkit.cpr import key_fingerprint
    from tariffkit.errors import DataError
    from tariffkit.io import read_provenance

    try:
        recorded = read_provenance(payments_path).get("tariffkit.key_fingerprint")
    except Exception:
        return
    if recorded is not None and recorded != key_fingerprint(key):
        raise DataError(
            "the payments history was pseudonymised with another key than the one given here: the citizens would not match. Use the municipality's key",
            file=payments_path,
        )


def new_key_file(path: Path) -> None:
    """A fresh random key (256 bits), readable by its owner alone; never over an existing file."""
    import secrets

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            "# The municipality's pseudonymisation key (tariffkit). Keep a copy in a safe place: with another\n"
            "# key next month's pseudonyms would not match the history's. Never share it; chmod 600.\n"
        )
        fh.write(secrets.token_hex(32) + "\n")
