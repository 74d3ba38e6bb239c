"""The protocol library is assembled from settings, not from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.errors import NotFoundError
from elab.services.protocol_library import ProtocolLibrary, bundled_dir
from elab.settings import Settings

MTT = bundled_dir() / "mtt-viability.yaml"


def test_bundled_protocols_are_inside_the_package() -> None:
    assert MTT.is_file()
    assert bundled_dir().parent.name == "elab"


def test_a_settings_directory_comes_first_and_wins_a_repeated_id(tmp_path: Path) -> None:
    own = tmp_path / "lab"
    own.mkdir()
    (own / "mtt-viability.yaml").write_text(MTT.read_text(encoding="utf-8"), encoding="utf-8")
    library = ProtocolLibrary.from_settings(Settings(protocol_dirs=(own,)))
    assert library.dirs[0] == own
    assert library.find("mtt-viability") == own / "mtt-viability.yaml"
    assert library.load("mtt-viability").id == "mtt-viability"


def test_missing_directories_are_left_out(tmp_path: Path) -> None:
    library = ProtocolLibrary.from_settings(Settings(protocol_dirs=(tmp_path / "absent",)))
    assert tmp_path / "absent" not in library.dirs
    assert bundled_dir() in library.dirs


def test_an_unknown_id_suggests_the_closest() -> None:
    library = ProtocolLibrary((bundled_dir(),))
    with pytest.raises(NotFoundError, match="mtt-viability"):
        library.find("mtt-viabilty")


def test_settings_read_protocol_dirs_from_the_given_environment(tmp_path: Path) -> None:
    import os

    joined = os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")])
    settings = Settings.from_env({"ELAB_PROTOCOLS": joined})
    assert settings.protocol_dirs == (tmp_path / "a", tmp_path / "b")
