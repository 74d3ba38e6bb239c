"""The bench sheet on the smallest terminal a bench laptop opens (80×24): every amount on
screen, folded rather than cut, and the dilution table's hidden columns named, with a key
that scrolls to them (review 13, item 5)."""

from __future__ import annotations

from textual.containers import ScrollableContainer
from textual.widgets import Static

from elab.services.bench_sheet import step_sheet
from elab.services.runs import RunService
from elab.tui.app import ElabApp
from elab.tui.bench import BenchSheetScreen


async def open_sheet(app: ElabApp, pilot: object) -> BenchSheetScreen:
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press("m")  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, BenchSheetScreen)
    return app.screen


def sheet_lines(screen: BenchSheetScreen) -> list[str]:
    return str(screen.query_one("#sheet", Static).render()).splitlines()


async def test_at_80_columns_amounts_fold_and_the_table_says_it_scrolls(
        service: RunService) -> None:
    run = service.start("mtt-viability")
    service.done(run, "seed")
    service.done(run, "attach")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sheet(app, pilot)
        lines = sheet_lines(screen)
        sheet = step_sheet(service.state(run), "treat", screen.plate_layout)
        assert sheet.series is not None
        table = set(sheet.series.table())
        too_wide = [line for line in lines if len(line) > 76 and line not in table]
        assert too_wide == []  # only the table runs past the edge
        flat = " ".join(" ".join(lines).split())
        assert ("693 µL (the dilution plan: the medium of the intermediate dilutions of the "
                "series and the vehicle, as pipetted, no overage)") in flat
        assert "complete culture medium 726 µL in all" in flat
        hint = next(line for line in lines if line.startswith("→ more columns"))
        assert "final, per" in hint
        scroll = screen.query_one("#sheet-scroll", ScrollableContainer)
        assert scroll.scroll_x == 0
        await pilot.press("right")
        await pilot.pause()
        assert scroll.scroll_x > 0


async def test_the_seeding_sheet_folds_the_edge_wells_medium_and_a_wide_screen_has_no_hint(
        service: RunService) -> None:
    run = service.start("mtt-viability")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        lines = sheet_lines(await open_sheet(app, pilot))
        assert max(len(line) for line in lines) <= 76
        flat = " ".join(" ".join(lines).split())
        assert ("90 µL × 36 edge wells filled with medium (design edge: medium) + 10 % overage "
                "= 3.564 mL") in flat
        # a figure never leaves its unit for the next line (3.564 / mL)
        assert not any(line.split()[:1] in (["mL"], ["µL"], ["cells"]) for line in lines)
    service.done(run, "seed")
    service.done(run, "attach")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(200, 40)) as pilot:
        lines = sheet_lines(await open_sheet(app, pilot))
        assert not any(line.startswith("→ more columns") for line in lines)
