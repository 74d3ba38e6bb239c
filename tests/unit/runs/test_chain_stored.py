"""Hashing an event from its stored row gives the hash of the event itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from elab.domain.runs import make_event
from elab.domain.runs.events import StoredEvent, canonical_json

TEXT = st.text()
PAYLOADS = st.dictionaries(st.text(max_size=5), st.one_of(
    st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.none()), max_size=4)


@given(run=TEXT, operator=TEXT, at=TEXT, payload=PAYLOADS)
def test_a_stored_row_hashes_as_its_event(run: str, operator: str, at: str,
                                          payload: dict[str, object]) -> None:
    event = make_event(run, 3, "note", at, operator, payload, "a" * 64)
    stored = StoredEvent(run, 3, "note", at, operator, canonical_json(event.payload),
                         event.prev_hash, event.hash)
    assert stored.computed_hash() == event.hash
    assert stored.parsed() == event
