"""The domain: pure code on protocols, runs, records, plates, dilutions, analyses and
schedules; no UI, storage, environment or I/O beyond the files it is given."""

__all__: list[str] = []
