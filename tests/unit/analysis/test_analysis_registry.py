"""The hook registry (entry points only) and the tidy-CSV reader with units in headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.analysis import (
    AnalysisResult,
    Hook,
    available_hooks,
    concat_tables,
    load_hook,
    read_table,
    run_hook,
)
from elab.errors import DimensionError, InputError, NotFoundError, QuantityError

BUILT_INS = {
    "combination-index", "ddct", "densitometry", "flow-frequencies", "ic50", "transwell",
    "tumour-growth", "wound-closure",
}


def test_built_ins_come_from_entry_points() -> None:
    assert set(available_hooks()) >= BUILT_INS
    for name in BUILT_INS:
        hook = load_hook(name)
        assert isinstance(hook, Hook)
        assert hook.name == name
        described = hook.describe()
        assert described["summary"] and described["inputs"]


def test_unknown_hook_names_the_installed_ones() -> None:
    with pytest.raises(NotFoundError, match="did you mean 'ic50'"):
        load_hook("ic5O")


def test_unknown_parameter_is_a_did_you_mean() -> None:
    with pytest.raises(NotFoundError, match="'model'"):
        run_hook("ic50", "dose,response\n0,1\n1,0.5\n", {"modle": "4pl"})


def test_bad_choice_is_refused() -> None:
    with pytest.raises(NotFoundError, match="4pl"):
        run_hook("ic50", "dose,response\n0,1\n1,0.5\n", {"model": "5pl"})


def test_header_units_and_names() -> None:
    table = read_table("Dose [µM],Body weight [g],label\n1,20,a\n2,21,b\n")
    assert table.names == ("dose", "body_weight", "label")
    assert table.unit("dose") == "uM"
    assert table.units["dose"] == "micromolar"
    assert table.numbers("body_weight") == [20.0, 21.0]


def test_missing_words_read_as_nan() -> None:
    table = read_table("ct\nUndetermined\n\n31.2\nNA\n")
    values = table.numbers("ct")
    assert values[1] == 31.2 and all(v != v for v in (values[0], values[2]))


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("dose [bogons],response\n1,2\n", QuantityError, "unit"),
        ("dose,dose\n1,2\n", InputError, "twice"),
        ("dose,response\n1\n", InputError, "row 2 has 1 cells"),
        ("dose,response\n", InputError, "no rows"),
        ("dose,response\nabc,1\n", InputError, "not a number"),
    ],
)
def test_bad_tables_are_one_clear_error(text: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        run_hook("ic50", text)


def test_missing_column_names_what_is_there() -> None:
    with pytest.raises(InputError, match=r"ic50 needs a column 'response' \(columns: dose, resp\)"):
        run_hook("ic50", "dose,resp\n1,2\n")


def test_declared_unit_converts_and_refuses_wrong_dimension() -> None:
    with pytest.raises(DimensionError, match="length"):
        run_hook("tumour-growth",
                 "animal,arm,day,length [g],width [mm]\nm,a,0,1,1\n", {"control": "a"})


def test_tables_concatenate_with_unit_conversion() -> None:
    a = read_table("dose [nM],response\n1,5\n", source="a.csv")
    b = read_table("dose [uM],response\n0.002,4\n", source="b.csv")
    both = concat_tables([a, b])
    assert both.numbers("dose") == pytest.approx([1.0, 2.0])
    with pytest.raises(InputError, match="differ"):
        concat_tables([a, read_table("dose,other\n1,2\n")])


@settings(max_examples=30, deadline=None)
@given(value=st.floats(1e-3, 1e6), unit=st.sampled_from(["um", "mm", "cm", "m", "inch"]))
def test_header_units_convert_to_declared_unit(value: float, unit: str) -> None:
    mm_per = {"um": 1e-3, "mm": 1.0, "cm": 10.0, "m": 1000.0, "inch": 25.4}
    text = f"animal,arm,day,length [{unit}],width [mm]\nm,a,0,{value!r},1\n"
    table = read_table(text).checked(load_hook("tumour-growth").inputs)
    assert table.unit("length") == "mm"
    assert table.numbers("length")[0] == pytest.approx(value * mm_per[unit], rel=1e-9)


def test_result_json_has_the_contract_keys() -> None:
    result = run_hook("ic50", "dose,response\n0,100\n1,90\n3,70\n10,40\n30,15\n100,5\n")
    assert isinstance(result, AnalysisResult)
    assert set(result.to_json()) == {"hook", "method", "results", "warnings", "headline"}
    assert result.to_json()["headline"][0].startswith("IC50 all (relative): ")


def test_broken_plugin_names_the_installed_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installed distribution as importlib.metadata finds it: a dist-info folder on the path
    # whose entry points name a module that does not exist and an object that is no Hook.
    dist = tmp_path / "broken_hooks-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-hooks\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[elab.analysis]\nbroken = no_such_module_xyz:HOOK\nnot-a-hook = elab.units:ureg\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"broken", "not-a-hook"} <= set(available_hooks())
    with pytest.raises(InputError, match=r"'broken'.*failed to load.*installed hooks: .*ic50"):
        load_hook("broken")
    with pytest.raises(InputError, match=r"not a Hook; installed hooks: .*ddct"):
        load_hook("not-a-hook")


def test_records_make_the_same_table_as_csv() -> None:
    from elab.domain.analysis import table_from_records

    records = [
        {"animal": "m1", "arm": "vehicle", "day": 0, "length": 1.0, "width": 0.8},
        {"animal": "m1", "arm": "vehicle", "day": 7, "length": 1.2, "width": None},
    ]
    table = table_from_records(records, units={"length": "cm", "width": "cm"})
    assert table.unit("length") == "cm"
    checked = table.checked(load_hook("tumour-growth").inputs)
    assert checked.numbers("length") == pytest.approx([10.0, 12.0])
    assert checked.numbers("width")[1] != checked.numbers("width")[1]  # None → missing
    result = run_hook("tumour-growth", table, {"control": "vehicle"})
    assert result.results[0]["mean_volume"]["value"] == pytest.approx(0.5 * 10 * 8 * 8)
