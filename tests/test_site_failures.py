"""A site that cannot be written is a warning: the digest is still recorded, mailed and its
files written, and the next run that can write the site writes it whole. Real databases,
a real SMTP server on loopback, real folders that refuse writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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
        cycle(replace(config, catalogues=(catalogue,)))
    message = str(caught.value)
    assert str(catalogue) in message and "commitment[0].id: '../../escaped' must be a slug" in message
    assert not list(tmp_path.rglob("escaped*")) and not site.exists() and handler.received == []


def _without_override() -> list[str]:
    """The command prefix that makes a folder's mode bind this process: as root, a process without the
    capabilities that override file modes (root passes any mode otherwise); as anyone else, none."""
    if os.getuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder would not refuse root")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def _read_only(folder: Path, read_only: bool) -> None:
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555 if read_only else 0o700)
        else:
            path.chmod(0o444 if read_only else 0o600)


# Permissions, through real `tracker` processes stripped of root's overrides: the system tier.
@pytest.mark.system
@pytest.mark.parametrize("written_before", [False, True])
def test_a_site_in_a_read_only_folder_costs_a_warning_and_is_written_once_it_can_be(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int], written_before: bool
) -> None:
    """A real read-only folder (mode 0555), refused to the process by its mode as it would be to the
    desk's user: the digest is recorded and mailed, the site is a warning naming the folder, and
    the next run once the folder can be written writes the site whole, sending nothing again."""
    handler, port = smtp
    site = tmp_path / "site"
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'database_url = "{database_url}"\nreports_dir = "reports"\nsite_dir = "site"\nfolders = ["incoming"]\n'
        f'[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'sender = "tracker@example.org"\nrecipients = ["desk@example.org"]\n',
        encoding="utf-8",
    )
    prefix = _without_override()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}

    def run(day: str) -> subprocess.CompletedProcess[str]:
        command = [*prefix, sys.executable, "-m", "tracker", "--config", str(config), "run", "--as-of", day]
        return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)

    if written_before:
        # The site was written by earlier runs, then the folder lost its write permission.
        assert run("2025-12-01").returncode == 0 and (site / "index.html").exists()
        (incoming / "2025-12-02-flights.txt").write_text(
            "Flights suspended\n\nIndia suspended direct flights between India and China on Tuesday, "
            "the civil aviation ministry said.\n",
            encoding="utf-8",
        )
        day, digest = "2025-12-02", 2
    else:
        site.mkdir()
        day, digest = "2025-12-01", 1
    sent = len(handler.received)
    _read_only(site, True)
    try:
        done = run(day)
        # The mode binds this process: nothing was written into the folder.
        assert not (site / "digests" / f"{digest}.html").exists()
    finally:
        _read_only(site, False)

    assert done.returncode == 0, done.stderr
    assert f"Digest #{digest}" in done.stdout, done.stdout
    assert len(handler.received) == sent + 1
    warnings = [line for line in done.stderr.splitlines() if line.startswith(f"warning: site {site}")]
    assert len(warnings) >= 1 and "Permission denied" in warnings[0], done.stderr
    assert "written again by the next run" in warnings[0]

    again = run(day)
    assert again.returncode == 0, again.stderr
    assert (site / "index.html").exists() and (site / "digests" / f"{digest}.html").exists()
    assert not [line for line in again.stderr.splitlines() if line.startswith("warning: site")], again.stderr
    assert len(handler.received) == sent + 1
