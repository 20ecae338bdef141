import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from tariffkit.cli import cli

# The property tests draw the same examples on every run (CI must not pass or fail by the
# seed): `HYPOTHESIS_PROFILE=explore make test` draws new ones, as a search for counterexamples.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample-data"
KEY = "test-key-0123456789abcdef"
HEADER = "CPR-nr.;Navn;Sagsnr.;Sagsbehandler;Tilbudsnr.;Tilbud;Leverandørtype;Paragraf;Funktion;Funktionsniveau;Periode fra;Periode til;Beløb;Type"


@pytest.fixture(autouse=True, scope="session")
def _sample_key_mode():
    """The sample's key file is the owner's alone, as tariffkit requires (git keeps no mode 600)."""
    (SAMPLE / "demo.key").chmod(0o600)


@pytest.fixture
def run(monkeypatch):
    """Invoke the CLI in-process; stdout and stderr separate."""
    monkeypatch.setenv("TARIFFKIT_KEY", KEY)

    def _run(*args, input=None):
        return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return _run


def dss_line(
    cpr="700101-1234",
    name="Test Testesen",
    case="S1",
    cw="Mette",
    offer="T1",
    offer_name="Egebo",
    provider="Intern",
    paragraph="SEL § 108",
    function="5.38.50",
    level="3",
    frm="01-01-2025",
    to="31-01-2025",
    amount="31.000,00",
    kind="Forbrug",
):
    return ";".join([cpr, name, case, cw, offer, offer_name, provider, paragraph, function, level, frm, to, amount, kind])


def write_dss(path: Path, lines, *, encoding="utf-8-sig", newline="\n") -> Path:
    text = newline.join([HEADER, *lines]) + newline
    path.write_bytes(text.encode(encoding))
    return path


def tariffkit_exe() -> list[str]:
    return [sys.executable, "-m", "tariffkit"]


def cpr_patterns(cprs):
    """Every way a CPR number could leak: with and without the dash."""
    out = set()
    for c in cprs:
        d = c.replace("-", "")
        out.add(d)
        out.add(d[:6] + "-" + d[6:])
    return out


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory):
    """The whole sample pipeline (sample-data/Makefile) run into a temporary folder."""
    out = tmp_path_factory.mktemp("sample-out")
    r = subprocess.run(["make", "-s", "-C", str(SAMPLE), f"OUT={out}", f"TARIFFKIT={sys.executable} -m tariffkit"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out, r


GOLDEN = Path(__file__).parent / "golden"


def golden(corpus: str, case: str, text: str, tmp_path: Path) -> None:
    """The whole message a user reads for ``case``, as recorded in ``tests/golden/<corpus>.json``
    (the temporary folder written ``<tmp>``, the sample folder ``<sample>``): a message that
    changes, loses its file, row or column, or says something else fails here, not in front of
    an analyst. A message changed on purpose: ``TARIFFKIT_UPDATE_GOLDEN=1 make test``, then review
    the file's diff."""
    import json

    text = text.replace(str(tmp_path), "<tmp>").replace(str(SAMPLE), "<sample>")
    path = GOLDEN / f"{corpus}.json"
    recorded = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if os.environ.get("TARIFFKIT_UPDATE_GOLDEN"):
        recorded[case] = text
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(dict(sorted(recorded.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    assert case in recorded, f"no recorded message for {case}: run with TARIFFKIT_UPDATE_GOLDEN=1 and review tests/golden/{corpus}.json"
    assert text == recorded[case]
