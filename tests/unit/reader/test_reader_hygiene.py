"""allotropy stays out of ``elab --help`` and grid imports; user files are read bounded and
junk never raises anything but a one-line InputError."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.reader import grid_from_bytes, reader_data_from_bytes
from elab.errors import InputError

DATA = Path(__file__).parents[2] / "data" / "reader"


def loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return {m.split(".")[0] for m in json.loads(out.stdout)}


def test_help_and_a_grid_import_never_load_allotropy() -> None:
    modules = loaded_after(
        "import elab.cli.main as m\nm._register_all()\n"
        "from pathlib import Path\n"
        "from elab.services.reader_import import tidy_from_files\n"
        f"tidy_from_files(Path({str(DATA / 'grid_mtt.csv')!r}), "
        f"Path({str(DATA / 'grid_mtt_layout.csv')!r}), 'grid')"
    )
    assert modules.isdisjoint({"allotropy", "pandas", "openpyxl", "rdmlpython"})


def test_reader_files_are_read_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import elab.services.reader_import as service

    monkeypatch.setattr(service, "MAX_READER_BYTES", 100)
    with pytest.raises(InputError, match="byte reader file limit"):
        service.tidy_from_files(DATA / "grid_mtt.csv", DATA / "grid_mtt_layout.csv")


def test_read_on_a_grid_is_refused_not_ignored() -> None:
    with pytest.raises(InputError, match="--plate N"):
        reader_data_from_bytes((DATA / "grid_mtt.csv").read_bytes(), "g.csv", "grid", read=2)


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    st.binary(max_size=600),
    st.text(alphabet=",;\t\n 0123456789.ABCHOPVRFLW-", max_size=800).map(str.encode),
    st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
))
def test_junk_is_an_input_error_or_a_grid(data: bytes) -> None:
    try:
        found = grid_from_bytes(data, "fuzz.csv")
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert found.plates and all(r.value is None or r.value == r.value for r in found.readings)
