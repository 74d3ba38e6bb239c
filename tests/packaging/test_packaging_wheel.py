"""The built wheel works away from the checkout: its protocols travel inside the package.

The wheel is built from a copy of the sources, installed without dependencies into a fresh
virtual environment in a temporary folder; that environment borrows the test environment's
libraries through a ``.pth`` path line.  A path line only adds a folder to ``sys.path``:
the ``.pth`` files inside that folder (among them the editable install pointing at the
checkout) are not run, so ``elab`` can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted(p.stem for p in (ROOT / "elab" / "protocols").glob("*.yaml"))


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A virtual environment holding the wheel, and the environment to run it in."""
    base = tmp_path_factory.mktemp("wheel")
    # Nothing of the checkout on the path: not PYTHONPATH, not the working folder (where an
    # ``elab.egg-info`` would make pip think elab is installed already).
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "ELAB_PROTOCOLS", "VIRTUAL_ENV")}
    source = base / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "elab", source / "elab", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    dist = base / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(dist), str(source)],
        cwd=base, env=env, capture_output=True, text=True, check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("elab-*.whl")

    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                   cwd=base, env=env, check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--ignore-installed", "--quiet", "--disable-pip-version-check", str(wheel)],
        cwd=base, env=env, capture_output=True, text=True, check=False,
    )
    assert installed.returncode == 0, installed.stderr
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=base, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    Path(purelib, "test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )

    env["ELAB_CACHE_DIR"] = str(base / "cache")
    env["XDG_DATA_HOME"] = str(base / "data")  # no protocols of the user's own
    env["HOME"] = str(base / "home")
    return venv, env


def test_elab_imports_from_the_new_environment(installed: tuple[Path, dict[str, str]],
                                               tmp_path: Path) -> None:
    venv, env = installed
    found = _run([str(venv / "bin" / "python"), "-c", "import elab; print(elab.__file__)"],
                 tmp_path, env)
    assert found.returncode == 0, found.stderr
    location = Path(found.stdout.strip()).resolve()
    assert location.is_relative_to(venv.resolve())
    assert not location.is_relative_to(ROOT)


def test_validate_lists_every_bundled_protocol(installed: tuple[Path, dict[str, str]],
                                               tmp_path: Path) -> None:
    venv, env = installed
    result = _run([str(venv / "bin" / "elab"), "validate", "--json"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    checked = [Path(p) for p in report["checked"]]
    assert len(BUNDLED) == 14
    assert sorted(p.stem for p in checked) == BUNDLED
    assert report["files"] == report["valid"] == 14
    assert all(p.resolve().is_relative_to(venv.resolve()) for p in checked)


def test_show_finds_a_bundled_protocol_by_id(installed: tuple[Path, dict[str, str]],
                                             tmp_path: Path) -> None:
    venv, env = installed
    result = _run([str(venv / "bin" / "elab"), "show", "mtt-viability", "--json"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["id"] == "mtt-viability"
    assert shown["steps"]
