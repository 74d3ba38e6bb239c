"""elab: lab protocols, runs, records, analysis, plates and schedules for the bench."""

__all__: list[str] = []
