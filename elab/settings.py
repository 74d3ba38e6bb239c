"""Every setting elab takes from its environment, read once at the edge and passed in.

The shells (``elab.cli.main`` and the TUI app) call :meth:`Settings.from_env`; everything
below them receives the :class:`Settings` or the one value it needs.  Reading the
environment in one place keeps the list of ``ELAB_*`` variables honest (:data:`VARIABLES`
is what the README's table is checked against) and lets tests pass settings in instead of
patching ``os.environ``.  The domain never sees this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["VARIABLES", "Settings", "Variable"]


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, the :class:`Settings` field it fills, its meaning."""

    name: str
    field: str
    meaning: str


VARIABLES: tuple[Variable, ...] = (
    Variable("ELAB_DATABASE_URL", "database_url",
             "any SQLAlchemy URL; default SQLite in the user data directory"),
    Variable("ELAB_OPERATOR", "operator", "who is working; default the system user"),
    Variable("ELAB_PROTOCOLS", "protocol_dirs",
             "extra protocol directories, searched before the bundled library "
             "(separated by the system's path separator, `:` on Linux and macOS)"),
    Variable("ELAB_CACHE_DIR", "cache_dir",
             "where the unit facts and the library index are cached; default the user cache "
             "directory"),
    Variable("ELAB_UNIT_CACHE", "unit_cache", "`off` keeps the unit facts in memory only"),
    Variable("ELAB_SIGNER_DIR", "signer_dir",
             "where signer files live; default `signers/` in the user data directory"),
    Variable("ELAB_SIGNER", "signer", "who signs with `elab runs sign`; default the login name"),
    Variable("ELAB_SIGN_PASSWORD", "sign_password",
             "the signing password for scripts and tests; otherwise a hidden prompt asks"),
    Variable("ELAB_RECORDS_DIR", "records_dir",
             "where the TUI writes run records; default the working folder"),
    Variable("ELAB_NO_DESKTOP_NOTIFY", "desktop_notify",
             "any value turns off desktop notifications when a timer ends"),
    Variable("ELAB_DEBUG", "debug", "`1` shows tracebacks, like `--debug`"),
    Variable("ELAB_TSA_URL", "tsa_url",
             "an RFC 3161 timestamp authority; `runs anchor -o FILE` then timestamps FILE"),
    Variable("ELAB_TSA_CA", "tsa_ca",
             "the timestamp authority's CA certificate, to check `FILE.tsr` at "
             "`runs verify --anchors`"),
    Variable("ELAB_POLICY", "policy",
             "the lab policy file (TOML, see docs/records.md); default `policy.toml` in the "
             "user config directory"),
    Variable("ELAB_TIMEZONE", "timezone",
             "the zone records show local times in (an IANA name); default `TZ`, else the "
             "machine's"),
    Variable("ELAB_CALENDAR", "calendar",
             "the lab calendar file (YAML: hours, holidays, people, bookings) of the home "
             "screen's agenda, `schedule plan` and records' planned times; default one person "
             "Mon-Fri 09:00-17:00"),
    Variable("ELAB_PERSON_PASSWORD", "person_password",
             "the password `elab admin init --person` gives new login roles; otherwise a "
             "hidden prompt asks"),
)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@dataclass(frozen=True)
class Settings:
    """elab's configuration; the defaults are those of an empty environment."""

    database_url: str | None = None
    operator: str | None = None
    protocol_dirs: tuple[Path, ...] = ()
    cache_dir: Path | None = None
    unit_cache: bool = True
    signer_dir: Path | None = None
    signer: str | None = None
    sign_password: str | None = field(default=None, repr=False)
    records_dir: Path | None = None
    desktop_notify: bool = True
    debug: bool = False
    policy: Path | None = None
    timezone: str | None = None
    tsa_url: str | None = None
    tsa_ca: Path | None = None
    person_password: str | None = field(default=None, repr=False)
    calendar: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of ``environ`` (default: this process's environment)."""
        env = os.environ if environ is None else environ
        extra = env.get("ELAB_PROTOCOLS", "")
        return cls(
            database_url=env.get("ELAB_DATABASE_URL") or None,
            operator=env.get("ELAB_OPERATOR") or None,
            protocol_dirs=tuple(Path(p) for p in extra.split(os.pathsep) if p),
            cache_dir=_path(env.get("ELAB_CACHE_DIR")),
            unit_cache=env.get("ELAB_UNIT_CACHE") != "off",
            signer_dir=_path(env.get("ELAB_SIGNER_DIR")),
            signer=env.get("ELAB_SIGNER") or None,
            sign_password=env.get("ELAB_SIGN_PASSWORD"),
            records_dir=_path(env.get("ELAB_RECORDS_DIR")),
            desktop_notify=not env.get("ELAB_NO_DESKTOP_NOTIFY"),
            debug=env.get("ELAB_DEBUG") == "1",
            policy=_path(env.get("ELAB_POLICY")),
            timezone=env.get("ELAB_TIMEZONE") or None,
            tsa_url=env.get("ELAB_TSA_URL") or None,
            tsa_ca=_path(env.get("ELAB_TSA_CA")),
            person_password=env.get("ELAB_PERSON_PASSWORD"),
            calendar=_path(env.get("ELAB_CALENDAR")),
        )

    def user_cache_dir(self) -> Path:
        """``cache_dir``, else the platform's user cache directory for elab."""
        if self.cache_dir is not None:
            return self.cache_dir
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("elab"))
