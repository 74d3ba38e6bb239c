"""The run screen shows derived values at the step that needs them, and antibody volumes
at their incubation step: "needs protein_conc" until the BCA readings are in."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from elab.services.runs import RunService
from elab.tui.app import ElabApp


def detail_of(app: ElabApp, step: str) -> str:
    table = app.screen.query_one("#steps", DataTable)
    table.move_cursor(row=app.screen.state.graph.order.index(step))  # type: ignore[attr-defined]
    return str(app.screen.query_one("#detail", Static).render())


async def test_loading_volumes_appear_when_the_bca_values_are_recorded(
    service: RunService,
) -> None:
    run = service.start("western-blot-pfak", {"protein_per_lane": "20 ug"})
    app = ElabApp(service, run)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        detail_of(app, "denature")
        await pilot.pause()
        detail = detail_of(app, "denature")
        assert "loading_volume = protein_per_lane / protein_conc" in detail
        assert "needs protein_conc" in detail
        assert "loading_volume 10 µL" not in detail
        service.record_values(run, "bca", [("protein_conc", "2;1.6;2.5 mg/mL")])
        app.screen.tick()  # type: ignore[attr-defined]
        await pilot.pause()
        detail = " ".join(detail_of(app, "denature").split())
        # 20 µg / 2 mg/mL = 10 µL; / 1.6 = 12.5 µL; / 2.5 = 8 µL; water 24 µL minus each
        assert ("lysate 0.1 nM / 3 h #1: protein_conc 2 mg/mL → loading_volume 10 µL, "
                "water_volume 14 µL") in detail
        assert ("lysate 10 nM / 3 h #1: protein_conc 2.5 mg/mL → loading_volume 8 µL, "
                "water_volume 16 µL") in detail
        assert "needs protein_conc for 42 more lysates" in detail


async def test_antibody_volume_is_shown_at_its_incubation(service: RunService) -> None:
    run = service.start("western-blot-pfak")
    app = ElabApp(service, run)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        detail_of(app, "primary-pfak")
        await pilot.pause()
        detail = " ".join(detail_of(app, "primary-pfak").split())
        assert ("rabbit anti-p-FAK (Tyr397) 1:1000: 10 µL per membrane in 10 mL 5 % BSA in "
                "TBST × 4 membranes = 40 µL") in detail
