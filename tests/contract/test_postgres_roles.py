"""On the shared PostgreSQL database, a person's role can read and add, never rewrite.

Run against the PostgreSQL test database (ELAB_TEST_DATABASE_URL) as its administrator;
the login role made here is dropped again at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import make_url
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url as parse_url
from sqlalchemy.exc import DBAPIError

from elab.domain.runs import FakeClock, make_event
from elab.errors import InputError, StorageError
from elab.services.admin import Person, init_lab_database
from elab.services.runs import RunService

pytestmark = pytest.mark.postgres

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")
PERSON = "elab_test_alice"
PASSWORD = "alice-test-pw"


@pytest.fixture
def urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    admin = make_url("postgres", tmp_path)
    RunService.open(admin).close()  # the schema, made by the administrator
    lines = init_lab_database([Person(PERSON, PASSWORD)], admin)
    assert any("no UPDATE, DELETE or TRUNCATE" in line for line in lines)
    person = parse_url(admin).set(username=PERSON, password=PASSWORD)
    yield admin, person.render_as_string(hide_password=False)
    engine = create_engine(admin)
    with engine.begin() as conn:
        conn.execute(text(f"DROP OWNED BY {PERSON}"))
        conn.execute(text(f"DROP ROLE {PERSON}"))
    engine.dispose()


def test_a_person_appends_as_themselves(urls: tuple[str, str]) -> None:
    _admin, person = urls
    service = RunService.open(person, clock=FakeClock())
    try:
        assert service.operator == PERSON
        run = service.start(PROTOCOL)
        service.done(run, "seed")
        assert {e.operator for e in service.events(run)} == {PERSON}
        assert service.verify(run) == []
    finally:
        service.close()


def test_a_forged_operator_is_refused(urls: tuple[str, str]) -> None:
    _admin, person = urls
    with pytest.raises(InputError, match="--operator 'bob' is refused"):
        RunService.open(person, operator="bob")
    service = RunService.open(person, clock=FakeClock())
    try:
        run = service.start(PROTOCOL)
        head = service.events(run)[-1]
        forged = make_event(run, 2, "note", head.at, "bob", {"text": "x"}, head.hash)
        with pytest.raises(StorageError, match="operator bob is not the database user"):
            service.store.append(run, [forged], 1)
        assert service.last_seq(run) == 1
    finally:
        service.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = '{}' WHERE seq = 2",
        "DELETE FROM events WHERE seq = 2",
        "TRUNCATE events",
        "UPDATE run_heads SET last_seq = 1",
        "DELETE FROM runs",
        "UPDATE attachments SET size = 0",
    ],
)
def test_rewriting_the_log_is_refused_by_postgresql(urls: tuple[str, str], statement: str) -> None:
    _admin, person = urls
    service = RunService.open(person, clock=FakeClock())
    try:
        run = service.start(PROTOCOL)
        service.done(run, "seed")
    finally:
        service.close()
    engine = create_engine(person)
    try:
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()
