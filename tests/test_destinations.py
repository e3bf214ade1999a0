"""Fetches reach public addresses only, unless the configuration allows a host or network:
feeds, every redirect hop, linked pages and imported subscriptions, checked on the address
the socket is connected to. Real loopback HTTP servers, real databases, the real CLI."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from tracker.cli import main
from tracker.config import Config, ConfigError, FeedSource, load_config
from tracker.destinations import Allowance, refusal
from tracker.fetching import FetchPolicy, fetch_all
from tracker.model import FetchOutcome as Outcome
from tracker.model import FetchRequest
from tracker.pipeline import Context, run_cycle
from tracker.schema import Article

AS_OF = date(2025, 12, 1)
QUICK = {"connect_timeout": 2.0, "read_timeout": 2.0, "total_timeout": 3.0, "retries": 0}

SECRET_PAGE = (
    "<html><body><article><p>INTERNAL-ONLY canary text from a service on loopback.</p></article></body></html>"
)


def feed_linking(link: str) -> str:
    return f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example.org/</link>
<item><title>India and China resume direct flights</title><link>{link}</link>
<guid>wire-1</guid><pubDate>Sun, 26 Oct 2025 08:00:00 GMT</pubDate>
<description>India and China resumed direct flights on Sunday.</description></item>
</channel></rss>"""


@pytest.fixture
def inside(httpserver: HTTPServer) -> HTTPServer:
    """An 'internal service' on loopback: every path answers with a canary page."""
    httpserver.expect_request("/secret").respond_with_data(SECRET_PAGE, content_type="text/html")
    httpserver.expect_request("/feed.rss").respond_with_data(
        feed_linking("https://wire.example.org/x"), content_type="application/rss+xml"
    )
    return httpserver


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


# --- the rule (pure) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "peer",
    [
        "127.0.0.1",
        "127.1.2.3",
        "::1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "::ffff:10.1.1.1",
        "fe80::1",
        "fc00::1",
        "224.0.0.1",
        "198.18.0.1",
        "240.0.0.1",
    ],
)
def test_special_purpose_addresses_are_refused(peer: str) -> None:
    why = refusal("feeds.example.org", peer, Allowance())
    assert why is not None and "[fetch] allow" in why


@pytest.mark.parametrize("peer", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"])
def test_public_addresses_pass(peer: str) -> None:
    assert refusal("feeds.example.org", peer, Allowance()) is None


def test_an_allowance_names_hosts_and_networks() -> None:
    allowance = Allowance.parse(["intranet.example.org", "10.1.0.0/16", "::1"])
    assert refusal("INTRANET.example.org.", "10.9.9.9", allowance) is None
    assert refusal("other.example.org", "10.1.2.3", allowance) is None
    assert refusal("other.example.org", "::ffff:10.1.2.3", allowance) is None
    assert refusal("other.example.org", "::1", allowance) is None
    assert refusal("other.example.org", "10.2.0.1", allowance) is not None
    assert refusal("other.example.org", "127.0.0.1", allowance) is not None


@pytest.mark.parametrize("entry", ["", "not a host", "10.0.0.0/33", "a/b"])
def test_a_bad_allowance_names_the_key(tmp_path: Path, entry: str) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text(f'[fetch]\nallow = ["{entry}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: fetch.allow:")


def test_the_allowance_is_read_from_the_configuration(tmp_path: Path) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text('[fetch]\nallow = ["intranet.example.org", "10.0.0.0/8"]\n', encoding="utf-8")
    assert load_config(path).fetch.allow == ("intranet.example.org", "10.0.0.0/8")
    assert Config().fetch.allow == ()


# --- fetching against real loopback servers -----------------------------------------------


def test_loopback_is_refused_by_default_in_every_spelling(inside: HTTPServer) -> None:
    port = inside.port
    spellings = [
        f"http://127.0.0.1:{port}/secret",
        f"http://localhost:{port}/secret",  # a name that resolves to loopback
        f"http://2130706433:{port}/secret",  # 127.0.0.1 as one decimal number
        f"http://0x7f000001:{port}/secret",
        f"http://127.1:{port}/secret",
    ]
    results = fetch_all([FetchRequest(url) for url in spellings], FetchPolicy(**QUICK))  # type: ignore[arg-type]
    for url, result in zip(spellings, results, strict=True):
        assert result.outcome is Outcome.FAILED, url
        assert result.body == b""
        assert "loopback, private or reserved" in (result.error or ""), (url, result.error)
        assert "\n" not in (result.error or "")
    assert inside.log == [], "no request reached the internal service"


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_ipv6_loopback_is_refused() -> None:
    server = HTTPServer(host="::1", port=0)
    server.start()
    try:
        server.expect_request("/secret").respond_with_data(SECRET_PAGE)
        (result,) = fetch_all([FetchRequest(f"http://[::1]:{server.port}/secret")], FetchPolicy(**QUICK))  # type: ignore[arg-type]
        assert result.outcome is Outcome.FAILED and "loopback" in (result.error or "")
        assert server.log == []
    finally:
        server.stop()


def test_an_allowed_host_is_fetched(inside: HTTPServer) -> None:
    policy = FetchPolicy(**QUICK, allow=("127.0.0.1",))  # type: ignore[arg-type]
    (result,) = fetch_all([FetchRequest(inside.url_for("/secret"))], policy)
    assert result.outcome is Outcome.OK and b"canary" in result.body
    # The network form allows a name that resolves into it.
    policy = FetchPolicy(**QUICK, allow=("127.0.0.0/8",))  # type: ignore[arg-type]
    (result,) = fetch_all([FetchRequest(f"http://localhost:{inside.port}/secret")], policy)
    assert result.outcome is Outcome.OK


def test_every_redirect_hop_is_checked(inside: HTTPServer) -> None:
    """An allowed feed host that redirects to another (internal) address: that hop is refused."""
    target = HTTPServer(host="127.0.0.1", port=0)
    target.start()
    try:
        target.expect_request("/metadata").respond_with_data("INTERNAL-ONLY instance credentials")
        inside.expect_request("/moved.rss").respond_with_data(
            "", status=302, headers={"Location": f"http://127.0.0.1:{target.port}/metadata"}
        )
        policy = FetchPolicy(**QUICK, allow=("localhost",))  # type: ignore[arg-type]
        (result,) = fetch_all([FetchRequest(f"http://localhost:{inside.port}/moved.rss")], policy)
        assert result.outcome is Outcome.FAILED
        assert "127.0.0.1: 127.0.0.1 is a loopback" in (result.error or "")
        assert target.log == [], "the redirect's target received nothing"
    finally:
        target.stop()


# --- the run: feeds, linked pages, imported subscriptions ----------------------------------


# The command line as a new user meets it (the fixture is shared, in conftest).
pytestmark = pytest.mark.usefixtures("clean_environment")


def stored_texts(ctx: Context) -> list[str]:
    with ctx.store.sessions() as session:
        return [a.text + a.summary for a in session.scalars(select(Article))]


def test_a_linked_page_on_an_internal_address_is_not_fetched(
    database_url: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    """The feed's host is allowed by name; its entry links to an internal page, which stays unread."""
    internal = f"http://127.0.0.1:{httpserver.port}/secret"
    httpserver.expect_request("/secret").respond_with_data(SECRET_PAGE, content_type="text/html")
    httpserver.expect_request("/wire.rss").respond_with_data(feed_linking(internal), content_type="application/rss+xml")
    config = Config(
        database_url=database_url,
        reports_dir=tmp_path / "reports",
        use_seeds=False,
        feeds=(FeedSource(url=f"http://localhost:{httpserver.port}/wire.rss", name="Wire"),),
        full_text=True,
        fetch=FetchPolicy(**QUICK, allow=("localhost",)),  # type: ignore[arg-type]
    )
    ctx = Context.open(config)
    try:
        report = run_cycle(ctx, AS_OF)
        assert report.ingested == 1
        assert not any("INTERNAL-ONLY" in text for text in stored_texts(ctx))
        warning = [m for m in report.messages if "cannot fetch the full text" in m]
        assert len(warning) == 1 and "loopback, private or reserved" in warning[0]
        assert [entry[0].path for entry in httpserver.log] == ["/wire.rss"]
        for path in report.digest_files:
            assert "INTERNAL-ONLY" not in path.read_text(encoding="utf-8")
    finally:
        ctx.close()


def test_an_imported_subscription_to_an_internal_address_is_never_fetched(
    database_url: str, tmp_path: Path, inside: HTTPServer
) -> None:
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline type="rss" text="Internal" xmlUrl="http://127.0.0.1:{inside.port}/feed.rss"/>'
        f'<outline type="rss" text="Metadata" xmlUrl="http://169.254.169.254/latest/meta-data/"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'database_url = "{database_url}"\nseeds_dir = ""\nreports_dir = "reports"\n'
        "[fetch]\nconnect_timeout = 1\ntotal_timeout = 2\nretries = 0\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    imported = runner.invoke(main, ["--config", str(config), "sources", "import", str(opml)], catch_exceptions=False)
    assert imported.exit_code == 0, imported.output
    run = runner.invoke(main, ["--config", str(config), "run", "--as-of", "2025-12-01"], catch_exceptions=False)
    assert inside.log == [], "the internal feed received no request"
    assert "loopback, private or reserved" in run.output
    assert "0 ingested" in run.output
