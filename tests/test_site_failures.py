"""A site that cannot be written is a warning: the digest is still recorded, mailed and its
files written, and the next run that can write the site writes it whole. Real databases,
a real SMTP server on loopback, real folders that refuse writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.support.smtp_server import Handler
from tracker.catalogue import Catalogue
from tracker.config import Config, EmailSettings
from tracker.pipeline import Context, RunReport, run_cycle

AS_OF = date(2025, 12, 1)


def config_with(database_url: str, tmp_path: Path, site_dir: Path, port: int) -> Config:
    email = EmailSettings(
        host="127.0.0.1", port=port, security="none", sender="tracker@example.org", recipients=("desk@example.org",)
    )
    return Config(database_url=database_url, reports_dir=tmp_path / "reports", site_dir=site_dir, email=email)


def cycle(config: Config, as_of: date = AS_OF) -> RunReport:
    ctx = Context.open(config)
    try:
        return run_cycle(ctx, as_of)
    finally:
        ctx.close()


def test_a_site_dir_that_is_a_file_costs_a_warning_not_the_alert(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int], catalogue: Catalogue
) -> None:
    handler, port = smtp
    site = tmp_path / "site"
    site.write_text("not a folder", encoding="utf-8")
    config = config_with(database_url, tmp_path, site, port)

    report = cycle(config)

    assert report.digest_id is not None
    assert len(handler.received) == 1
    assert (tmp_path / "reports" / "2025-12-01.html").exists()
    assert report.site_files == []
    warnings = [m for m in report.messages if m.startswith(f"warning: site {site}")]
    assert warnings and all("\n" not in m for m in warnings)
    assert report.exit_status == 0

    # A day with nothing new: still no error, and nothing sent twice.
    quiet = cycle(config)
    assert quiet.digest_id is None and len(handler.received) == 1

    # Once the folder can be written, the next run writes the whole site, every commitment's page.
    site.unlink()
    later = cycle(config, date(2025, 12, 2))
    assert (site / "index.html").exists()
    pages = sorted(p.name for p in (site / "commitments").iterdir())
    assert pages == sorted(f"{c.id}.html" for c in catalogue.commitments)
    assert any(p.name == f"{report.digest_id}.html" for p in (site / "digests").iterdir())
    assert not [m for m in later.messages if m.startswith("warning: site")]


def test_a_site_on_a_file_system_that_refuses_writes_costs_a_warning(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    """/sys refuses new folders even to root: the same refusal a read-only or full disk gives."""
    handler, port = smtp
    site = Path("/sys/tracker-site-test")
    config = config_with(database_url, tmp_path, site, port)

    report = cycle(config)

    assert report.digest_id is not None and len(handler.received) == 1
    assert [m for m in report.messages if m.startswith(f"warning: site {site}")]
    assert not site.exists()


def test_a_catalogue_id_that_is_no_slug_writes_nothing_outside_the_site(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    """Such an id would name a page outside the site: the catalogue is refused as it is loaded,
    in one line naming the file and the field, before anything is read, stored or sent."""
    from dataclasses import replace

    from tracker.catalogue import CatalogueError
    from tracker.resources import bundled_dir

    handler, port = smtp
    packaged = next(bundled_dir("data").glob("india-china.toml")).read_text(encoding="utf-8")
    catalogue = tmp_path / "catalogue.toml"
    catalogue.write_text(packaged.replace('id = "air-services"', 'id = "../../escaped"', 1), encoding="utf-8")
    site = tmp_path / "deep" / "er" / "site"
    config = config_with(database_url, tmp_path, site, port)

    with pytest.raises(CatalogueError) as caught:
        cycle(replace(config, catalogue=catalogue))
    message = str(caught.value)
    assert str(catalogue) in message and "commitment[0].id: '../../escaped' must be a slug" in message
    assert not list(tmp_path.rglob("escaped*")) and not site.exists() and handler.received == []
