"""``elab.units`` is one facade over modules named for what they hold, loaded on first use.

Every command runs ``configure_unit_cache``; the facade imports a module only when one of
its names is asked for, so ``elab --help`` compiles none of the quantity language.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

import elab.units


def modules_after(code: str) -> list[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    loaded: list[str] = json.loads(out.stdout)
    return loaded


def test_configuring_the_unit_cache_loads_only_the_cache_and_not_pint() -> None:
    loaded = modules_after("from elab.units import configure_unit_cache")
    assert [m for m in loaded if m.startswith("elab.units")] == [
        "elab.units", "elab.units.facts", "elab.units.pint_registry",
    ]
    assert "pint" not in loaded


def submodules() -> list[str]:
    return [i.name for i in pkgutil.iter_modules(elab.units.__path__, "elab.units.")]


@pytest.mark.parametrize("name", elab.units.__all__)
def test_each_promised_name_has_one_home_and_is_the_same_object(name: str) -> None:
    homes = [importlib.import_module(m) for m in submodules()]
    promising = [m for m in homes if name in m.__all__]
    assert len(promising) == 1
    assert getattr(elab.units, name) is getattr(promising[0], name)


def test_ureg_is_the_one_registry() -> None:
    from elab.units import registry, ureg

    assert ureg is registry()


def test_an_unknown_name_is_refused() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        getattr(elab.units, "no_such_name")  # noqa: B009
