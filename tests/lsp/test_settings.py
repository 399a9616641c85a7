"""How the window's and each folder's settings combine: a folder sends only its folder-scoped
keys, so everything else comes from the window."""

from __future__ import annotations

import pytest

from server.lsp.settings import read_folders, read_options

FOLDER = "file:///work/a"
WINDOW = {"model": "gpt-4.1", "training.python": "/opt/train/bin/python", "callsPerDay": 50}


@pytest.mark.parametrize(
    ("folder_settings", "field", "expected"),
    [
        ({"model": "gpt-4o-mini"}, "model", "gpt-4o-mini"),  # the folder's own wins
        ({"model": "gpt-4o-mini"}, "training_python", "/opt/train/bin/python"),  # machine scope
        ({"model": "gpt-4o-mini"}, "calls_per_day", 50),  # not set by the folder
        ({}, "model", "gpt-4.1"),
    ],
)
def test_a_folder_has_the_windows_settings_under_its_own(
    folder_settings: dict[str, object], field: str, expected: object
) -> None:
    raw = {**WINDOW, "folders": [{"uri": FOLDER, "settings": folder_settings}]}
    window, _ = read_options(raw)
    folders, errors = read_folders(raw, window)
    assert errors == []
    assert getattr(folders[FOLDER], field) == expected
