"""One service used from several threads (the TUI's workers): the cached fold stays exact."""

from __future__ import annotations

import threading
from pathlib import Path

from elab.domain.runs import fold
from elab.services.runs import RunService

ASSAY = str(Path(__file__).resolve().parent / "data" / "assay.yaml")


def test_readers_in_other_threads_never_double_apply_events(sqlite_url: str) -> None:
    service = RunService.open(sqlite_url, operator="ana")
    try:
        run = service.start(ASSAY)
        stop = threading.Event()
        errors: list[BaseException] = []

        def read() -> None:
            try:
                while not stop.is_set():
                    service.state(run)
            except BaseException as exc:  # reported below
                errors.append(exc)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for t in readers:
            t.start()
        for i in range(150):
            service.note(run, None, f"note {i}")
        stop.set()
        for t in readers:
            t.join()
        assert errors == []
        cached = service.state(run)
        assert len(cached.notes) == 150
        assert cached.notes == fold(service.events(run)).notes
        assert cached.last_seq == 151
    finally:
        service.close()
