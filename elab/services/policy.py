"""The lab's signature policy: a small TOML file, with defaults an auditor would expect.

What a signature means depends on the lab: most labs will not let a run be ``reviewed`` or
``approved`` while it is still in progress, nor let the person who did the work approve it,
and many require the lot of certain reagents before anyone signs.  These rules live in one
file (``ELAB_POLICY``, read by the shell, else ``policy.toml`` in the user config
directory) so that a lab sets them once; without a file the defaults below apply.
``elab runs sign`` checks them and refuses a signature that breaks one, with one line
naming the rule.

```toml
[signatures]
need_completed = ["reviewed", "approved"]   # meanings that need a completed run
performer_may_approve = false               # may whoever performed the run approve it?

[lots]
required = ["fbs", "dmso"]                  # material ids; ["*"] = every declared material
```
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elab.errors import InputError

__all__ = ["Policy", "PolicyError", "default_policy_path", "load_policy", "refusal"]

MEANINGS = ("performed", "reviewed", "approved")


class PolicyError(InputError):
    """A signature the lab's policy does not allow (exit 1, one line)."""


@dataclass(frozen=True)
class Policy:
    """The rules a signature must follow; the defaults are the policy without a file."""

    need_completed: frozenset[str] = frozenset({"reviewed", "approved"})
    performer_may_approve: bool = False
    required_lots: tuple[str, ...] = ()
    source: str = "defaults"


def default_policy_path() -> Path:
    """``policy.toml`` in the user config directory (``~/.config/elab`` on Linux)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("elab")) / "policy.toml"


def load_policy(path: Path | None = None) -> Policy:
    """The lab policy from ``path`` (the shell passes ``ELAB_POLICY``), else from the user
    config directory; the defaults when that has none.

    A file named explicitly must exist: a lab that points at its policy and mistypes the
    path must not sign under the defaults unawares.
    """
    import tomllib

    explicit = path is not None
    path = path or default_policy_path()
    if not path.is_file():
        if explicit:
            raise InputError(f"lab policy {path}: no such file")
        return Policy()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"lab policy {path}: {exc}") from exc
    return _parse(data, str(path))


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"lab policy {where}: expected a list of strings")
    return tuple(value)


def _parse(data: Mapping[str, Any], source: str) -> Policy:
    known = {"signatures": {"need_completed", "performer_may_approve"}, "lots": {"required"}}
    for table, body in data.items():
        if table not in known or not isinstance(body, Mapping):
            raise InputError(f"lab policy {source}: unknown table [{table}] "
                             f"(known: {', '.join(known)})")
        extra = set(body) - known[table]
        if extra:
            raise InputError(f"lab policy {source}: unknown key {sorted(extra)[0]!r} in "
                             f"[{table}] (known: {', '.join(sorted(known[table]))})")
    sig = data.get("signatures", {})
    need = _strings(sig.get("need_completed", ["reviewed", "approved"]),
                    f"{source} [signatures] need_completed")
    bad = [m for m in need if m not in MEANINGS]
    if bad:
        raise InputError(f"lab policy {source}: unknown signature meaning {bad[0]!r} "
                         f"(known: {', '.join(MEANINGS)})")
    may = sig.get("performer_may_approve", False)
    if not isinstance(may, bool):
        raise InputError(f"lab policy {source}: performer_may_approve must be true or false")
    lots = _strings(data.get("lots", {}).get("required", []), f"{source} [lots] required")
    return Policy(frozenset(need), may, lots, source)


def refusal(
    policy: Policy,
    *,
    run_id: str,
    meaning: str,
    signer: str,
    state: str,
    performers: Iterable[str],
    lots: Iterable[str],
    materials: Sequence[str],
) -> str:
    """Why this signature breaks the policy, or "" when it may be given.

    ``performers`` are whoever did the run (recorded its steps or signed it ``performed``);
    ``lots`` the materials with a recorded lot; ``materials`` those the protocol declares.
    """
    if meaning in policy.need_completed and state != "completed":
        return (f"run {run_id} is {state}: the lab policy ({policy.source}) lets a run be "
                f"{meaning} only once it is completed")
    if meaning == "approved" and not policy.performer_may_approve and signer in set(performers):
        return (f"{signer} performed run {run_id} and may not also approve it "
                f"(lab policy {policy.source}: performer_may_approve = false)")
    required = [m for m in materials if "*" in policy.required_lots or m in policy.required_lots]
    have = set(lots)
    missing = [m for m in required if m not in have]
    if missing:
        return (f"run {run_id} has no lot recorded for {', '.join(missing)}; the lab policy "
                f"({policy.source}) requires it before signing")
    return ""
