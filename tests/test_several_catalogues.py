"""Several relationships in one desk: the catalogues a configuration names, and what refuses them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tracker.catalogue import CatalogueError, load_catalogues
from tracker.config import ConfigError, load_config
from tracker.resources import data_path

INDIA_CHINA = data_path("india-china.toml")
AUSTRALIA_CHINA = data_path("australia-china.toml")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("TRACKER_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_catalogue_configured_means_the_packaged_one(clean_env: Path) -> None:
    config = load_config()
    assert config.catalogues == () and config.catalogue is None
    assert [c.relationship_id for c in load_catalogues(config.catalogues)] == ["IN-CN"]


def test_a_list_of_catalogues_in_the_file_is_read_in_order_beside_the_file(clean_env: Path) -> None:
    (clean_env / "tracker.toml").write_text(f'catalogues = ["{INDIA_CHINA}", "own.toml"]\n', encoding="utf-8")
    config = load_config(clean_env / "tracker.toml")
    assert config.catalogues == (INDIA_CHINA, clean_env / "own.toml")
    assert config.catalogue == INDIA_CHINA


def test_the_single_catalogue_key_still_works_as_a_list_of_one(clean_env: Path) -> None:
    (clean_env / "tracker.toml").write_text('catalogue = "own.toml"\n', encoding="utf-8")
    assert load_config(clean_env / "tracker.toml").catalogues == (clean_env / "own.toml",)


def test_both_keys_at_once_are_refused_in_one_line(clean_env: Path) -> None:
    (clean_env / "tracker.toml").write_text('catalogue = "a.toml"\ncatalogues = ["b.toml"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tracker\.toml: catalogue: .*not both") as caught:
        load_config(clean_env / "tracker.toml")
    assert "\n" not in str(caught.value)


def test_catalogues_must_be_a_list_of_paths(clean_env: Path) -> None:
    (clean_env / "tracker.toml").write_text("catalogues = [1]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tracker\.toml: catalogues: must be a list of catalogue paths"):
        load_config(clean_env / "tracker.toml")


def test_the_environment_takes_one_path_or_several_joined(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_CATALOGUE", str(AUSTRALIA_CHINA))
    assert load_config().catalogues == (AUSTRALIA_CHINA,)
    monkeypatch.setenv("TRACKER_CATALOGUE", os.pathsep.join([str(INDIA_CHINA), str(AUSTRALIA_CHINA)]))
    config = load_config()
    assert config.catalogues == (INDIA_CHINA, AUSTRALIA_CHINA)
    assert [c.relationship_id for c in load_catalogues(config.catalogues)] == ["IN-CN", "AU-CN"]


def test_two_catalogues_claiming_one_relationship_are_refused_naming_both(clean_env: Path) -> None:
    copy = clean_env / "copy.toml"
    shutil.copyfile(INDIA_CHINA, copy)
    with pytest.raises(CatalogueError) as caught:
        load_catalogues((INDIA_CHINA, copy))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{copy}: relationship.id: 'IN-CN'")
    assert str(INDIA_CHINA) in message


def test_a_run_with_two_claims_stops_before_the_database_is_made(clean_env: Path) -> None:
    from click.testing import CliRunner

    from tracker.cli import main

    copy = clean_env / "copy.toml"
    shutil.copyfile(AUSTRALIA_CHINA, copy)
    (clean_env / "tracker.toml").write_text(
        f'database_url = "sqlite:///t.db"\ncatalogues = ["{AUSTRALIA_CHINA}", "copy.toml"]\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["--config", "tracker.toml", "run"])
    assert result.exit_code != 0
    assert f"{copy}: relationship.id: 'AU-CN' is claimed by {AUSTRALIA_CHINA} too" in result.output
    assert not (clean_env / "t.db").exists()
