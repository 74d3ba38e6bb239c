"""The runs service seen as a :class:`~elab.services.records.RunSource`.

Kept apart from :mod:`elab.services.records` so that the record logic does not depend on how
runs are stored: this adapter gives the run's folded state, turns the chain check into a
:class:`ChainStatus`, and attachment names into their bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from elab.domain.records.model import ChainStatus
from elab.domain.runs import Event, verify_chain
from elab.errors import NotFoundError
from elab.services.integrity import DAMAGE, Finding, damaged_from, run_findings
from elab.services.signing import KeyRegistry

if TYPE_CHECKING:
    from elab.services.records import RunSubject
    from elab.services.runs import RunService

__all__ = ["ServiceRunSource", "chain_status", "runs_source"]


def chain_status(events: Sequence[Event], findings: Sequence[Finding] | None = None) -> ChainStatus:
    """What ``runs verify`` says about these events, as the record shows it.

    ``findings`` are the run's problems from :func:`~elab.services.integrity.run_findings`
    (chain, recorded head, attachments); without them only the chain is checked.
    """
    if findings is None:
        problem = verify_chain(events)
        findings = [] if problem is None else [
            Finding(problem.run_id, "chain", problem.reason, problem.seq)]
    # "verified" only when nothing at all fails: a bad signature is a failure too.
    damage = [f for f in findings if f.kind in DAMAGE]
    head = events[-1]
    return ChainStatus(not findings, head.seq, head.hash, len(events),
                       " ".join(f"{f}." for f in findings), damaged_from(damage))


class ServiceRunSource:
    """Runs read through :class:`~elab.services.runs.RunService`."""

    def __init__(self, service: RunService) -> None:
        self.service = service

    def subject(self, run_id: str) -> RunSubject:
        from elab.services.records import RunSubject

        events = self.service.events(run_id)
        state = self.service.state(run_id)  # a run that cannot be folded: IntegrityError
        findings = run_findings(self.service.store, run_id, self.service.signers)
        return RunSubject(state, chain_status(events, findings))

    @property
    def registry(self) -> KeyRegistry:
        """Where signers' public keys are registered (the run database)."""
        return self.service.store

    def append_signature(self, run_id: str, payload: Mapping[str, Any], operator: str) -> int:
        return self.service.append_signature(run_id, payload, operator=operator)

    def attachment(self, run_id: str, name: str) -> bytes:
        """The newest attachment of that name (the bytes are stored by SHA-256)."""
        found = self.service.state(run_id).attachment(name)
        if found is None:
            raise NotFoundError("attachment", name)
        return self.service.attachment(found.sha256)

    def blob(self, sha256: str) -> bytes:
        """An attachment's stored bytes by their SHA-256 (for the archival PDF)."""
        return self.service.attachment(sha256)

    def close(self) -> None:
        self.service.close()


def runs_source(service: RunService | None = None) -> ServiceRunSource:
    """The stored runs (``ELAB_DATABASE_URL`` or the user data directory's database)."""
    from elab.services.runs import RunService

    return ServiceRunSource(service or RunService.open())
