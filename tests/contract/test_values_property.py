"""Whatever people type as values, every run stays readable, listable and verifiable."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.protocol import load_document
from elab.domain.runs import FakeClock
from elab.errors import ElabError, ProtocolErrors
from elab.services.runs import RunService

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "1e-999", "1e300", "-0", "NaN", "1e308"]),
    st.integers(min_value=-(10**400), max_value=10**400),
)
UNITS = st.sampled_from(["mg/mL", "ug/uL", "Yg/yL", "g/L", "", "%", "mM"])
TEXTS = st.one_of(
    st.builds(lambda n, u: f"{n} {u}".strip(), NUMBERS, UNITS),
    st.text(max_size=40),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.tuples(st.sampled_from(["conc", "comment"]), TEXTS), max_size=6))
def test_any_values_leave_every_run_readable(tmp_path: Path, texts: list[tuple[str, str]]) -> None:
    service = RunService.open(f"sqlite:///{tmp_path / 'elab.db'}", operator="ana",
                              clock=FakeClock())
    try:
        run = service.start(PROTOCOL)
        for name, text in texts:
            # Refused with one clear error is fine, as long as nothing broke.
            with contextlib.suppress(ElabError):
                service.record_values(run, "measure", [(name, text)])
        assert run in {s.run_id for s in service.list_runs()}
        assert service.overview().damaged == []
        assert service.verify() == []
    finally:
        service.close()


@pytest.mark.parametrize("level", [".nan", ".inf", "-.inf"])
def test_a_non_finite_number_in_a_protocol_is_a_located_error(tmp_path: Path, level: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: p\ntitle: P\nversion: '1'\ndesign:\n  factors:\n"
                    f"    dose: {{levels: [1, {level}]}}\nsteps:\n  - {{id: s, title: S}}\n",
                    encoding="utf-8")
    with pytest.raises(ProtocolErrors, match=r"p\.yaml:6:\d+: .* is not a finite number"):
        load_document(path)
