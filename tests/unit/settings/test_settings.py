"""One Settings object: every ELAB_* variable read in one place and documented in the README."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from elab.settings import VARIABLES, Settings

ROOT = Path(__file__).resolve().parents[3]


def test_an_empty_environment_gives_the_defaults() -> None:
    assert Settings.from_env({}) == Settings()


def test_every_variable_fills_its_field() -> None:
    environ = {
        "ELAB_DATABASE_URL": "sqlite:///x.db", "ELAB_OPERATOR": "ana",
        "ELAB_PROTOCOLS": "/lab/a", "ELAB_CACHE_DIR": "/c", "ELAB_UNIT_CACHE": "off",
        "ELAB_SIGNER_DIR": "/s", "ELAB_SIGNER": "ben", "ELAB_SIGN_PASSWORD": "pw",
        "ELAB_RECORDS_DIR": "/r", "ELAB_NO_DESKTOP_NOTIFY": "1", "ELAB_DEBUG": "1",
        "ELAB_POLICY": "/p.toml", "ELAB_TIMEZONE": "Europe/Berlin",
        "ELAB_TSA_URL": "http://127.0.0.1:8318/", "ELAB_TSA_CA": "/ca.pem",
        "ELAB_PERSON_PASSWORD": "ppw", "ELAB_CALENDAR": "/lab.yaml",
    }
    settings = Settings.from_env(environ)
    assert settings == Settings(
        database_url="sqlite:///x.db", operator="ana", protocol_dirs=(Path("/lab/a"),),
        cache_dir=Path("/c"), unit_cache=False, signer_dir=Path("/s"), signer="ben",
        sign_password="pw", records_dir=Path("/r"), desktop_notify=False, debug=True,
        policy=Path("/p.toml"), timezone="Europe/Berlin", tsa_url="http://127.0.0.1:8318/",
        tsa_ca=Path("/ca.pem"), person_password="ppw", calendar=Path("/lab.yaml"),
    )
    assert sorted(environ) == sorted(v.name for v in VARIABLES)


def test_each_variable_names_a_field_and_each_field_a_variable() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert {v.field for v in VARIABLES} == fields
    assert len(VARIABLES) == 17


def test_the_passwords_are_not_shown_in_the_repr() -> None:
    assert "secret" not in repr(Settings(sign_password="secret", person_password="secret"))


def test_the_readme_documents_every_variable_and_no_other() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(ELAB_[A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert documented == {v.name for v in VARIABLES}


def test_no_module_reads_an_elab_variable_itself() -> None:
    reading = re.compile(r"(environ(\.get)?[\[(]|getenv\()\s*[\"']ELAB_")
    readers = {
        str(path.relative_to(ROOT)) for path in (ROOT / "elab").rglob("*.py")
        if reading.search(path.read_text(encoding="utf-8"))
    }
    # The finish screen's records folder moves with the TUI's finish work.
    assert readers <= {"elab/tui/finish.py"}
