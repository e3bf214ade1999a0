"""Fetching over HTTP: bytes from URLs under hard limits, nothing parsed here.

Every request has a connect deadline, a read deadline (per socket read) and a
TOTAL deadline (the whole exchange, headers and body, retries excluded), so a
server that trickles one byte a second cannot hold a run. Bodies are streamed
and stopped at a size cap (after decompression, so a gzip bomb stops too).
Requests run concurrently in a small bounded pool; one slow source holds no
other. Credentials in a URL (`user:pass@`) become HTTP Basic authentication and
never appear in a result, a message or an error: every URL that leaves this
module has passed through `redact`. Every connection, each redirect hop
included, must reach a public address unless `allow` names it
(`tracker.destinations`).
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from tracker import __version__
from tracker.destinations import Allowance, DestinationRefused, guarded_transport
from tracker.model import FetchOutcome, FetchRequest, FetchResult, Health, Redirect

if TYPE_CHECKING:
    import asyncio

    import httpx

USER_AGENT = f"tracker/{__version__} (+diplomatic commitments tracker; feed reader)"

# A query value is shown only when its shape is plainly no credential: words of letters (`en-IN`,
# `world`, `asia-pacific`) and short numbers or dates. Anything else (letters mixed with digits,
# mixed case, long runs, symbols) is hidden whatever its name, since a secret's name can be anything.
_PLAIN_SEPARATORS = re.compile(r"[-_.,:;+/ ]+")
_PLAIN_MAX = 64
# A plain value is hidden still when its name says credential: a password may be a plain word.
_SECRET_NAME = re.compile(
    r"(key|token|secret|pass|pw|pwd|auth|sig|session|credential|jwt|bearer|otp|private|ticket|pin)", re.IGNORECASE
)
# `user:pa/ss@host`, `user:pa#ss@host` or `user:p@ss@host`: a password with a delimiter left
# unencoded, which URL parsing reads as part of the path, query, fragment or host (and so would
# print). Group 1 is the password up to the first `@`, group 2 the authority after it. A port
# (`host:8080/`) is not a password.
_USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#@:]*:(?!\d+(?:[/?#]|$))([^@]*)@([^/?#]*)", re.IGNORECASE)
_REDACTED = "***"


def unencoded_credentials(url: str) -> str:
    """The delimiters (`/`, `?`, `#`, `@`) a URL's `user:pass@` holds unencoded; empty when none."""
    match = _USERINFO.match(url)
    if match is None:
        return ""
    found = {c for c in "/?#" if c in match.group(1)} | ({"@"} if "@" in match.group(2) else set())
    return "".join(c for c in "/?#@" if c in found)


def _plain_word(word: str) -> bool:
    if word.isdigit():
        return len(word) <= 8  # a page, a category, a date; a longer number may be a PIN or an id
    if not word.isalpha() or len(word) > 20:
        return False
    # lower case (or a script without case), Capitalised, or a short code in capitals (`IN`, `EN`)
    return word == word.lower() or word == word.capitalize() or (word.isupper() and len(word) <= 4)


def _plain_value(value: str) -> bool:
    if len(value) > _PLAIN_MAX:
        return False
    return all(_plain_word(word) for word in _PLAIN_SEPARATORS.split(value) if word)


def _secret_pair(name: str, value: str) -> bool:
    return bool(value) and (not _plain_value(value) or bool(_SECRET_NAME.search(name)))


# Responses worth asking again within one run; others (404, a timeout) are not.
_TRANSIENT = {429, 500, 502, 503, 504}


def redact(url: str) -> str:
    """The URL as it may be printed or stored: no userinfo, and only query values plainly no secret."""
    match = _USERINFO.match(url)
    if match is not None and unencoded_credentials(url):
        # Everything up to the password's first `@` goes; what follows it is host (or more userinfo).
        url = url.split("://", 1)[0] + "://" + _REDACTED + "@" + url[match.end(1) + 1 :]
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{_REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_secret_pair(name, value) for name, value in pairs):
            query = urlencode(
                [(name, _REDACTED if _secret_pair(name, value) else value) for name, value in pairs], safe="*"
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def has_secret(url: str) -> bool:
    return redact(url) != url


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """(the URL without `user:pass@`, (user, password) or None)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), (unquote(user), unquote(password))


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port made explicit: where credentials belong."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").rstrip("."), port or _DEFAULT_PORTS.get(scheme)


def same_origin(url: str, other: str) -> bool:
    return origin(url) == origin(other)


def with_credentials(url: str, user: str, password: str) -> str:
    """A URL carrying `user:pass@` (the form a configuration may give)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}"
    return urlunsplit((parts.scheme, f"{userinfo}@{host}", parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class FetchPolicy:
    """Limits that hold for every request."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    # feedparser holds about 45× a feed's size at its peak: 5 MB keeps a run well under 300 MB.
    max_bytes: int = 5_000_000
    concurrency: int = 4
    # Attempts after the first, for a refused connection, 429 or 5xx; waits grow 1×, 2×, 4× retry_delay.
    retries: int = 2
    retry_delay: float = 0.5
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    # Hosts (as named in a URL), addresses and networks that may be fetched though they are
    # loopback, private or reserved (an intranet feed); everything else must be public.
    allow: tuple[str, ...] = ()
    # Seconds a run may spend fetching in all (feeds and their linked pages): what has not
    # started by then waits for the next run, named. Each request still has its own deadline.
    budget: float = 900.0
    # When the budget runs out, on time.monotonic()'s clock; set per run (None: no bound).
    until: float | None = None


class _TooLarge(Exception):
    pass


async def _attempt(client: httpx.AsyncClient, request: FetchRequest, policy: FetchPolicy) -> FetchResult:
    import asyncio

    import httpx

    shown = redact(request.url)
    url, credentials = split_credentials(request.url)
    headers = {"Accept": request.accept}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    auth = httpx.BasicAuth(*credentials) if credentials else None
    async with asyncio.timeout(policy.total_timeout):
        async with client.stream("GET", url, headers=headers, auth=auth) as response:
            redirects = tuple(
                Redirect(r.status_code, redact(str(r.headers.get("location", "")))) for r in response.history
            )
            moved_to = None
            if redirects and all(r.status in (301, 308) for r in redirects):
                moved_to = str(response.url)
            common = {
                "url": shown,
                "status": response.status_code,
                "redirects": redirects,
                "moved_to": moved_to,
                "content_type": response.headers.get("content-type", ""),
            }
            if response.status_code == 304:
                return FetchResult(outcome=FetchOutcome.NOT_MODIFIED, **common)  # type: ignore[arg-type]
            if response.status_code == 410:
                return FetchResult(outcome=FetchOutcome.GONE, error="HTTP 410 Gone", **common)  # type: ignore[arg-type]
            if response.status_code >= 400:
                reason = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                return FetchResult(outcome=FetchOutcome.FAILED, error=reason, **common)  # type: ignore[arg-type]
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > policy.max_bytes and "content-encoding" not in response.headers:
                raise _TooLarge
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > policy.max_bytes:
                    raise _TooLarge
                chunks.append(chunk)
            return FetchResult(
                outcome=FetchOutcome.OK,
                body=b"".join(chunks),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                **common,  # type: ignore[arg-type]
            )


def _failure(request: FetchRequest, error: str, status: int | None = None) -> FetchResult:
    return FetchResult(url=redact(request.url), outcome=FetchOutcome.FAILED, status=status, error=error)


async def _fetch_one(
    client: httpx.AsyncClient, request: FetchRequest, policy: FetchPolicy, pool: asyncio.Semaphore
) -> FetchResult:
    import asyncio

    import httpx

    attempts = 0
    while True:
        attempts += 1
        transient = False
        async with pool:
            if attempts == 1 and policy.until is not None and time.monotonic() >= policy.until:
                return FetchResult(
                    url=redact(request.url),
                    outcome=FetchOutcome.NOT_STARTED,
                    error=f"not fetched: the run's {policy.budget:g} s for fetching are spent; next run",
                    attempts=0,
                )
            try:
                result = await _attempt(client, request, policy)
                transient = result.status in _TRANSIENT
            except TimeoutError:
                result = _failure(request, f"no complete answer within the {policy.total_timeout:g} s deadline")
            except _TooLarge:
                result = _failure(request, f"larger than the {policy.max_bytes} byte limit; stopped reading")
            except DestinationRefused as exc:
                result = _failure(request, _reason(exc, request))
            except httpx.TooManyRedirects:
                result = _failure(request, f"more than {policy.max_redirects} redirects (a redirect loop?)")
            except httpx.TimeoutException as exc:
                result = _failure(request, f"timed out ({type(exc).__name__})")
            except httpx.ConnectError as exc:
                result = _failure(request, f"cannot connect: {_reason(exc, request)}")
                transient = True
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                result = _failure(request, _reason(exc, request))
        if not transient or attempts > policy.retries:
            return _with_attempts(result, attempts)
        await asyncio.sleep(policy.retry_delay * 2 ** (attempts - 1))


def _with_attempts(result: FetchResult, attempts: int) -> FetchResult:
    return FetchResult(**{**result.__dict__, "attempts": attempts})


def _reason(exc: BaseException, request: FetchRequest) -> str:
    """One line about an exception, with any secret of the request's URL scrubbed."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0] or type(exc).__name__
    _, credentials = split_credentials(request.url)
    text = text.replace(request.url, redact(request.url))
    if credentials and credentials[1]:
        text = text.replace(credentials[1], _REDACTED)
    for name, value in parse_qsl(urlsplit(request.url).query):
        if value and _secret_pair(name, value):
            text = text.replace(value, _REDACTED)
    return text


def _client(policy: FetchPolicy) -> httpx.AsyncClient:
    import httpx

    timeout = httpx.Timeout(
        connect=policy.connect_timeout, read=policy.read_timeout, write=policy.read_timeout, pool=policy.total_timeout
    )
    limits = httpx.Limits(max_connections=policy.concurrency, max_keepalive_connections=policy.concurrency)
    transport = guarded_transport(Allowance.parse(policy.allow), limits=limits, trust_env=False)
    return httpx.AsyncClient(
        transport=transport,  # type: ignore[arg-type]
        timeout=timeout,
        follow_redirects=True,
        max_redirects=policy.max_redirects,
        headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        trust_env=False,
    )


async def _fetch_all(requests: Sequence[FetchRequest], policy: FetchPolicy) -> list[FetchResult]:
    import asyncio

    pool = asyncio.Semaphore(policy.concurrency)
    async with _client(policy) as client:
        return list(await asyncio.gather(*(_fetch_one(client, r, policy, pool) for r in requests)))


def fetch_all(requests: Sequence[FetchRequest], policy: FetchPolicy | None = None) -> list[FetchResult]:
    """Fetch every request concurrently (at most `policy.concurrency` at once); results in request order.

    Never raises for a request that fails: its result says why.
    """
    if not requests:
        return []
    import asyncio

    return asyncio.run(_fetch_all(requests, policy or FetchPolicy()))


_END = object()


def fetch_stream(requests: Sequence[FetchRequest], policy: FetchPolicy) -> Iterator[tuple[int, FetchResult]]:
    """(index, result) for every request, as each completes: a real pool, not groups in lock-step.

    At most `policy.concurrency` requests run at once, and a new one starts as
    soon as any finishes, so one hanging feed holds no other. The caller works
    on each result while the others are fetched; a result waits for it in a
    queue as short as the pool, so memory holds at most about twice
    `concurrency` bodies. Never raises for a request that fails.
    """
    import asyncio

    if not requests:
        return
    results: queue.Queue[object] = queue.Queue(maxsize=max(1, policy.concurrency))
    stop = threading.Event()

    async def produce() -> None:
        loop = asyncio.get_running_loop()
        slots = asyncio.Semaphore(policy.concurrency)
        pool = asyncio.Semaphore(policy.concurrency)

        async def one(index: int, request: FetchRequest) -> None:
            # The slot is held until the caller has room for the result: bodies cannot pile up.
            async with slots:
                if stop.is_set():
                    return
                result = await _fetch_one(client, request, policy, pool)
                await loop.run_in_executor(None, results.put, (index, result))

        async with _client(policy) as client:
            await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))

    def run() -> None:
        try:
            asyncio.run(produce())
        finally:
            results.put(_END)

    thread = threading.Thread(target=run, name="fetch-pool", daemon=True)
    thread.start()
    try:
        while (item := results.get()) is not _END:
            yield item  # type: ignore[misc]
    finally:
        # The caller stopped early: start nothing more, let what runs finish, and drain.
        stop.set()
        while thread.is_alive():
            try:
                if results.get(timeout=0.1) is _END:
                    break
            except queue.Empty:
                continue
        thread.join()


# --- deciding what a result means for a source (pure) -----------------------------------


def assess(
    result: FetchResult,
    failures_before: int,
    now: datetime,
    *,
    interval: float,
    backoff: float,
    backoff_max: float,
    error_after: int,
) -> Health:
    """What one fetch result does to a source: its failure count, next fetch, error and level.

    A failure waits backoff × 2^(failures − 1) seconds (at most backoff_max)
    before the next attempt; a success waits `interval`.
    """
    if result.outcome is FetchOutcome.NOT_STARTED:
        # Not asked, so nothing learnt: due again at once.
        return Health(failures_before, now, None, alarming=False)
    if result.outcome in (FetchOutcome.OK, FetchOutcome.NOT_MODIFIED):
        return Health(0, now + timedelta(seconds=interval), None, alarming=False)
    if result.outcome is FetchOutcome.GONE:
        return Health(failures_before + 1, now, result.error, alarming=True, disable=True)
    failures = failures_before + 1
    wait = min(backoff * 2 ** (failures - 1), backoff_max)
    return Health(failures, now + timedelta(seconds=wait), result.error, alarming=failures >= error_after)
