"""Shared fixtures: real databases (a SQLite file, and PostgreSQL when one is configured), a real
SMTP server on loopback, and an environment cleared of the tracker's settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import fresh_postgres_database
from tests.support.environment import clear_environment
from tests.support.smtp_server import Handler, start
from tracker.catalogue import Catalogue, Lexicon, load_catalogue, load_lexicon

POSTGRES_ENV = "TRACKER_TEST_POSTGRES_URL"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # In CI the PostgreSQL variant must run: a missing server is a failure, not a skip.
    if os.environ.get("CI") and not os.environ.get(POSTGRES_ENV):
        raise pytest.UsageError(f"CI is set but {POSTGRES_ENV} is not: start PostgreSQL and name it")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    """A real SMTP server on loopback that accepts anything (modules needing a login define their own)."""
    handler = Handler()
    controller = start(handler)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The command line as a new user meets it: in an empty folder, no tracker setting in the environment."""
    clear_environment(monkeypatch, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    with fresh_postgres_database(base) as url:
        yield url


# Which databases the database-backed tests run on: both by default (CI sets the PostgreSQL
# server's URL, and a missing one fails there); TRACKER_TEST_DATABASES=sqlite or =postgresql picks one.
DATABASES = [d.strip() for d in os.environ.get("TRACKER_TEST_DATABASES", "sqlite,postgresql").split(",") if d.strip()]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> str:
    """Each database-backed test runs on a SQLite file and on PostgreSQL (see DATABASES)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database of each kind (see DATABASES) for all the tests of a module: for a world built
    once and then only read, which the tests using it must not change."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module-db') / 'tracker.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    with fresh_postgres_database(base) as url:
        yield url


# What the adversarial suites tried (hostile inputs, crash points, race rounds,
# shuffles, fuzz examples), printed at the end of the run so the counts are on record.
_COUNTS: dict[str, int] = {}


def record_count(name: str, n: int = 1) -> None:
    """Add `n` to the count called `name` (shown in pytest's summary)."""
    _COUNTS[name] = _COUNTS.get(name, 0) + n


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _COUNTS:
        terminalreporter.section("what the suites tried")
        for name, n in sorted(_COUNTS.items()):
            terminalreporter.write_line(f"{name}: {n}")
