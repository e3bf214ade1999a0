"""The command line as a new user meets it: in an empty folder, no tracker setting in the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import CONFIG_ENV, EMAIL_ENV_PREFIX, EMAIL_KEYS, ENV_KEYS


def clear_environment(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Work in `folder` with every tracker setting taken out of the environment (undone with `monkeypatch`)."""
    monkeypatch.chdir(folder)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    for env in [*ENV_KEYS.values(), *(EMAIL_ENV_PREFIX + k.upper() for k in EMAIL_KEYS), "TRACKER_NOTIFY"]:
        monkeypatch.delenv(env, raising=False)
