"""Sources: reading article files, folders (with an optional manifest) and feeds.

Retrieval (bytes from a URL or a file) is kept apart from parsing (bytes to
`ArticleDraft`s) so that each can fail on its own with a one-line error that
names the file, feed or field.
"""

from __future__ import annotations

import html
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tracker.days import Start, implausible, out_of_range
from tracker.fetching import USER_AGENT, FetchPolicy, fetch_all, redact
from tracker.model import ArticleDraft, FetchOutcome, FetchRequest, normalise
from tracker.sanitize import clean_line, clean_url

# A summary and the full article joined by a pipe between no-break spaces: one article.
SUMMARY_SEPARATOR = "\n\u00a0|\u00a0\n"
MANIFEST_NAME = "manifest.toml"
ARTICLE_SUFFIXES = {".txt", ".text", ".md"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
# Files past this size are refused, feeds as articles (a feed's parse costs ~45× its size).
MAX_FILE_BYTES = FetchPolicy().max_bytes
# Work per article stays bounded: longer texts are cut, and a run of text
# without a sentence end is broken into paragraphs of at most this many
# characters (sentence analysis grows faster than linearly with a sentence's length).
MAX_TEXT_CHARS = 100_000
MAX_SENTENCE_CHARS = 500
# Entries read from one feed document (about 9 ms of sentence parsing each for an entry that names
# a commitment; a 5 MB feed can hold 18,000).
MAX_FEED_ENTRIES = 1000
__all__ = ["USER_AGENT"]

Warn = Callable[[str], None]

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_TEXT_DATES = (
    (re.compile(rf"\b({_MONTHS}) (\d{{1,2}}),? (\d{{4}})\b"), "%B %d %Y", (0, 1, 2)),
    (re.compile(rf"\b(\d{{1,2}}) ({_MONTHS}),? (\d{{4}})\b"), "%d %B %Y", (0, 1, 2)),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "%Y %m %d", (0, 1, 2)),
)


class SourceError(Exception):
    """Input that cannot be read; str() is one line naming the file, feed or field."""


# Query parameters that say who sent a reader, not what the page is.
_TRACKING_PARAM = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|ref_src|_ga)$", re.IGNORECASE)


def canonical_link(url: str) -> str:
    """A link without tracking parameters (utm_*, fbclid, ...); any other link as it is."""
    if not url.startswith(("http://", "https://")) or "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _TRACKING_PARAM.match(k)]
    if len(kept) == len(pairs):
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def dates_in_text(text: str) -> list[date]:
    found: list[tuple[int, date]] = []
    for pattern, fmt, _ in _TEXT_DATES:
        for match in pattern.finditer(text):
            try:
                found.append((match.start(), datetime.strptime(" ".join(match.groups()), fmt).date()))
            except ValueError:
                continue
    return [d for _, d in sorted(found)]


def split_title(raw: str) -> tuple[str, str]:
    """First non-empty line is the title; the rest is the body.

    A first line too long to be a headline is the body's first paragraph, and
    the title is made from its opening words.
    """
    lines = raw.lstrip("\ufeff").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return "", ""
    first = lines[0].strip()
    if len(first) <= 200:
        return first, "\n".join(lines[1:]).strip("\n")
    words = first.split()
    return " ".join(words[:14]) + "…", "\n".join(lines).strip("\n")


def parse_article_text(raw: str) -> tuple[str, str, str]:
    """(title, summary, body) of an article file, seed format included."""
    summary = ""
    if SUMMARY_SEPARATOR in raw:
        summary_part, raw = raw.split(SUMMARY_SEPARATOR, 1)
        summary_title, summary = split_title(summary_part)
        if not summary:
            # A summary without a headline line of its own: all of it is the summary.
            summary_title, summary = "", summary_part.strip()
        title, body = split_title(raw)
        title = title or summary_title
    else:
        title, body = split_title(raw)
    if not body:
        body, title = title, title[:120]
    return title, summary.strip(), body.strip()


@dataclass(frozen=True)
class ManifestEntry:
    published: date
    source: str
    url: str
    title: str | None
    author: str = ""


ManifestErrors = list[tuple[str | None, SourceError]]


def read_manifest(folder: Path, errors: ManifestErrors | None = None) -> dict[str, ManifestEntry]:
    """The manifest's entries by file name.

    A manifest that cannot be read raises. An entry with a bad field raises too,
    unless `errors` is given: then (the file it names, if any; its error) is
    appended there, the entry is left out, and the other entries are kept.
    """
    path = folder / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path}: cannot read manifest: {exc}") from exc
    entries: dict[str, ManifestEntry] = {}
    for index, item in enumerate(raw.get("article", [])):
        listed = item.get("file") if isinstance(item, dict) else None
        try:
            name, entry = _manifest_entry(item, f"{path}: article[{index}]", folder)
        except SourceError as exc:
            error = exc
            if listed is not None:
                # The error names the file it keeps out, not only the manifest's line.
                error = SourceError(f"{exc}; {folder / clean_line(listed)} is not read")
            if errors is None:
                raise error from exc
            errors.append((str(listed) if listed is not None else None, error))
            continue
        entries[name] = entry
    return entries


def _manifest_entry(item: object, where: str, folder: Path) -> tuple[str, ManifestEntry]:
    if not isinstance(item, dict):
        raise SourceError(f"{where}: not a table")
    if "file" not in item:
        raise SourceError(f"{where}: missing field 'file'")
    published = item.get("date")
    if isinstance(published, str):
        try:
            published = date.fromisoformat(published)
        except ValueError as exc:
            raise SourceError(f"{where}.date: not a date: {published!r}") from exc
    if isinstance(published, datetime):
        # A TOML date-time: the day is what counts.
        published = published.date()
    if not isinstance(published, date):
        raise SourceError(f"{where}.date: missing or not a date")
    why = out_of_range(published)
    if why is not None:
        raise SourceError(f"{where}.date: {why}")
    return str(item["file"]), ManifestEntry(
        published=published,
        source=str(item.get("source", folder.name)),
        url=str(item.get("url", "")),
        title=item.get("title"),
        author=" ".join(str(item.get("author", "")).split())[:MAX_AUTHOR_CHARS],
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding): UTF-8, else the declared encoding, else one detected reliably.

    Raises UnicodeDecodeError (of the UTF-8 attempt) when nothing reads it as text.
    """
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        failure = exc
    if declared:
        try:
            return data.decode(declared), declared.lower()
        except (LookupError, UnicodeDecodeError):
            pass
    # Reliable means: charset-normalizer read a language in the text, not only bytes it can map.
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(data) if m.coherence > 0]
    if matches:
        # Texts often decode equally well in several code pages; among the least
        # chaotic, Windows-1252 (the web's Latin-1) wins a tie.
        least = min(m.chaos for m in matches)
        tied = [m for m in matches if m.chaos == least]
        western = [m for m in tied if "cp1252" in m.could_be_from_charset]
        if western:
            text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
        else:
            text, encoding = str(tied[0]), tied[0].encoding
        if not _CONTROL.search(text) and "\ufffd" not in text:
            return text, encoding
    raise failure


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES, inside: Path | None = None) -> bytes:
    """A regular file's bytes, refused past `limit` (the file is never read whole then).

    The file is opened without blocking and checked as opened, not by its
    name beforehand: a FIFO or a device is refused (never waited on), and
    with `inside` (a followed folder, resolved) a file that turns out to lie
    outside it, a link swapped in after the folder was listed, is not read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise SourceError(f"{path}: not a regular file (a FIFO, a device or a socket); not read")
        if inside is not None and not _opened_inside(fd, inside):
            raise SourceError(f"{path}: a link to a file outside the folder; not read")
        if status.st_size > limit:
            raise SourceError(f"{path}: {status.st_size} bytes, larger than the {limit} byte limit; not read")
        # Reads of a regular file do not block; the flag only kept the open itself from waiting.
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror}") from exc
    finally:
        os.close(fd)
    if len(data) > limit:
        raise SourceError(f"{path}: larger than the {limit} byte limit; not read")
    return data


def _opened_inside(fd: int, inside: Path) -> bool:
    """Whether the file open on `fd` lies inside the folder `inside` (by where the kernel says it is)."""
    try:
        opened = Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        # No /proc: the check made on the name when the folder was listed stands.
        return True
    return opened.is_relative_to(inside)


def bound_text(text: str, max_chars: int = MAX_TEXT_CHARS, max_sentence: int = MAX_SENTENCE_CHARS) -> tuple[str, str]:
    """(the text within bounds, what was done to it or ""); linear in the text's length."""
    notes = []
    if len(text) > max_chars:
        cut = text.rfind(" ", max_chars // 2, max_chars)
        original = len(text)
        text = text[: cut if cut > 0 else max_chars]
        notes.append(f"text of {original} characters cut to its first {len(text)}")
    pieces: list[str] = []
    last = broken = 0
    for match in re.finditer(rf"[^.!?。\n]{{{max_sentence + 1},}}", text):
        pieces.append(text[last : match.start()])
        run, start = match.group(), 0
        while len(run) - start > max_sentence:
            end = run.rfind(" ", start + 1, start + max_sentence)
            end = end if end > start else start + max_sentence
            pieces += [run[start:end], "\n\n"]
            start = end
        pieces.append(run[start:])
        last = match.end()
        broken += 1
    if broken:
        pieces.append(text[last:])
        text = "".join(pieces)
        runs = f"{broken} run{'s' if broken != 1 else ''}"
        notes.append(f"{runs} of over {max_sentence} characters without a sentence end broken up")
    return text, "; ".join(notes)


def read_text(path: Path, warn: Warn | None = None, inside: Path | None = None) -> str:
    """A text file's contents: UTF-8, or another encoding detected reliably (with a warning).

    A SourceError naming the file otherwise.
    """
    data = read_bytes(path, inside=inside)
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text (byte {exc.start}) and no other encoding detected") from exc
    if "\x00" in text:
        raise SourceError(f"{path}: not a text file (it holds NUL bytes)")
    if encoding != "utf-8" and warn is not None:
        warn(f"{path}: not UTF-8; read as {encoding}")
    return text


_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_in_file_name(path: Path) -> date | None:
    """The date a file's name starts with (`2024-10-21-flights.txt`, `2024-10-21.md`), if a real one."""
    found = _NAME_DATE.match(path.name)
    if found is None:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def read_article_file(
    path: Path, entry: ManifestEntry | None, warn: Warn, inside: Path | None = None, start: Start | None = None
) -> ArticleDraft:
    raw = read_text(path, warn, inside)
    if not raw.strip():
        raise SourceError(f"{path}: empty file")
    title, summary, body = parse_article_text(raw)
    estimated = False
    if entry is not None:
        published, source, url = entry.published, entry.source, entry.url
        title = entry.title or title
    else:
        source, url = path.parent.name or "files", ""
        # A date in the text outside the window (a year 1066 anecdote, an epoch) is not the dateline.
        found = [day for day in dates_in_text(f"{summary}\n{body}") if implausible(day, start) is None]
        named = date_in_file_name(path)
        if named is not None and implausible(named, start) is None:
            # The desk dated the file itself (`2024-10-21-flights.txt`): that, not a date the text mentions.
            published = named
        elif found:
            # The dateline, or the first full date the text gives.
            published = found[0]
            warn(f"{path}: no manifest entry; dated {published} from its text")
        else:
            published = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()
            estimated = True
            warn(
                f"{path}: no manifest entry and no date in the text; "
                f"dated {published} from the file's modification time"
            )
    return ArticleDraft(
        title=title,
        text=body,
        summary=summary,
        published=published,
        url=url or path.resolve().as_uri(),
        source_name=source,
        origin=str(path),
        author=entry.author if entry is not None else "",
        date_estimated=estimated,
    )


class _TextExtractor(HTMLParser):
    """Visible text of an HTML fragment, with block elements as paragraph breaks."""

    BLOCKS: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    if "<" not in fragment:
        return html.unescape(fragment).strip()
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    text = "".join(parser.parts)
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def fetch(location: str, timeout: float = 30.0, allow: tuple[str, ...] = ()) -> bytes:
    """The bytes of a feed: a local path or an http(s) URL (one request, under `timeout` in all).

    A URL must lead to a public address unless `allow` names it (see `tracker.destinations`).
    """
    if location.startswith(("http://", "https://")):
        policy = FetchPolicy(
            connect_timeout=timeout, read_timeout=timeout, total_timeout=timeout, retries=0, allow=allow
        )
        (result,) = fetch_all([FetchRequest(location)], policy)
        if result.outcome is not FetchOutcome.OK:
            raise SourceError(f"{redact(location)}: cannot fetch: {result.error}")
        return result.body
    path = Path(location.removeprefix("file://"))
    try:
        return read_bytes(path)
    except SourceError as exc:
        raise SourceError(str(exc).replace(str(path), location, 1)) from exc


MAX_AUTHOR_CHARS = 300


def entry_author(entry: dict) -> str:
    """Who a feed entry names as its author: feedparser's author name, else its author line ("" if none)."""
    detail = entry.get("author_detail") or {}
    raw = detail.get("name") or entry.get("author") or ""
    return " ".join(html_to_text(str(raw)).split())[:MAX_AUTHOR_CHARS]


_CHAR_REFERENCE = re.compile(rb"&#([xX][0-9a-fA-F]+|[0-9]+);")


def _safe_reference(match: re.Match[bytes]) -> bytes:
    digits = match.group(1)
    hexadecimal = digits[:1] in (b"x", b"X")
    digits = (digits[1:] if hexadecimal else digits).lstrip(b"0") or b"0"
    if len(digits) > 8:  # past any code point, however it is written
        return b"&#xFFFD;"
    code = int(digits, 16 if hexadecimal else 10)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)


def safe_char_references(data: bytes) -> bytes:
    """A feed's bytes with every character reference to what no text can hold (NUL, a surrogate, a
    code point past U+10FFFF) made U+FFFD: feedparser's lenient parser raises on a surrogate."""
    if b"&#" not in data:
        return data
    return _CHAR_REFERENCE.sub(_safe_reference, data)


def _text_field(entry: dict, key: str) -> str:
    """A feed entry's text field; "" when it is missing, or not text (feedparser leaves None in broken entries)."""
    value = entry.get(key)
    return value if isinstance(value, str) else ""


def parse_feed(
    data: bytes,
    location: str,
    warn: Warn,
    source_name: str | None = None,
    *,
    fetched: date | None = None,
    content_type: str | None = None,
    start: Start | None = None,
) -> list[ArticleDraft]:
    """The entries of an RSS or Atom document as article drafts.

    `location` is what messages and drafts name (redacted for a URL). An entry
    without a date takes the feed's date, else the day it was `fetched` (when
    given), with a warning; without either, or without text, it is reported
    and skipped; the others are kept. A date that cannot be one (the epoch,
    before the relationship's `start`) counts as none, in the same warning.
    """
    headers = {"content-type": content_type} if content_type else None
    import feedparser

    try:
        parsed = feedparser.parse(safe_char_references(data), response_headers=headers)
    except Exception as exc:  # feedparser's own failure on a hostile document is this feed's error, not the run's
        raise SourceError(
            f"{location}: not a readable RSS/Atom feed: the parser failed ({type(exc).__name__})"
        ) from exc
    reason = str(parsed.get("bozo_exception", "not a feed")).splitlines()[0] if parsed.get("bozo") else ""
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        raise SourceError(f"{location}: not a readable RSS/Atom feed: {reason or 'no RSS or Atom document'}")
    feed_title = source_name or parsed.feed.get("title") or location
    feed_date = parsed.feed.get("updated_parsed") or parsed.feed.get("published_parsed")
    if feed_date is not None and implausible(date(feed_date.tm_year, feed_date.tm_mon, feed_date.tm_mday), start):
        feed_date = None
    drafts: list[ArticleDraft] = []
    entries = parsed.entries
    if len(entries) > MAX_FEED_ENTRIES:
        # Each entry costs a parse of its sentences: a feed under the byte cap can still hold
        # tens of thousands. Feeds list their newest first.
        warn(f"warning: {location}: {len(entries)} entries; only the first {MAX_FEED_ENTRIES} are read")
        entries = entries[:MAX_FEED_ENTRIES]
    for index, entry in enumerate(entries):
        label = f"{location}: entry {index + 1}"
        if _text_field(entry, "link"):
            label += f" ({entry['link']})"
        struct = entry.get("published_parsed") or entry.get("updated_parsed")
        undated = ""
        if struct is not None:
            why = implausible(date(struct.tm_year, struct.tm_mon, struct.tm_mday), start)
            if why is not None:
                # A placeholder or an impossible date would rewrite history: read the entry as undated.
                undated = f"warning: {label}: dated {why}; read as undated:"
                struct = None
        published: date | None = None
        estimated = struct is None
        if struct is None:
            # One line for the entry, whatever dated it in the end.
            head = undated or f"{label}: no published or updated date;"
            if feed_date is not None:
                struct = feed_date
                warn(f"{undated or f'{label}: no date of its own;'} using the feed's date")
            elif fetched is not None:
                published = fetched
                warn(f"{head} dated {fetched}, the day it was fetched")
            else:
                warn(f"{head} skipped")
                continue
        if published is None:
            published = date(struct.tm_year, struct.tm_mon, struct.tm_mday)
        # dict.get: feedparser's own get falls back to the published date.
        changed = dict.get(entry, "updated_parsed")
        updated = date(changed.tm_year, changed.tm_mon, changed.tm_mday) if changed else None
        if updated is not None and implausible(updated, start):
            updated = None
        content = entry.get("content")
        body = html_to_text(_text_field(content[0], "value")) if content else ""
        summary = html_to_text(_text_field(entry, "summary"))
        if not body:
            body, summary = summary, ""
        if summary and normalise(summary) in normalise(body):
            summary = ""
        if not body:
            warn(f"{label}: no text in content or summary; skipped")
            continue
        title = html_to_text(_text_field(entry, "title")) or body[:120]
        # Cleaned here as the draft will clean them: a link of control characters alone is no link.
        link = clean_url(canonical_link(_text_field(entry, "link")))
        guid = _text_field(entry, "id") or link
        drafts.append(
            ArticleDraft(
                title=title,
                text=body,
                summary=summary,
                published=published,
                url=link or clean_url(guid) or f"{location}#{index + 1}",
                source_name=feed_title,
                origin=location,
                guid=guid,
                updated=updated if updated and updated > published else None,
                author=entry_author(entry),
                date_estimated=estimated,
            )
        )
    if reason:
        if not drafts:
            raise SourceError(f"{location}: not a readable RSS/Atom feed: {reason}")
        warn(f"{location}: not well-formed ({reason}); read {len(drafts)} of its entries")
    return drafts


def iter_path(path: Path, warn: Warn, start: Start | None = None) -> Iterator[ArticleDraft | SourceError]:
    """Every article under a path (file, folder or feed file); errors are yielded, not raised.

    `start`: when the catalogue's relationship began; a date before it is no publication date.
    """
    if not path.exists():
        yield SourceError(f"{path}: no such file or folder")
        return
    if path.is_dir():
        manifest_errors: ManifestErrors = []
        try:
            manifest = read_manifest(path, manifest_errors)
        except SourceError as exc:
            yield exc
            manifest = {}
        yield from (error for _, error in manifest_errors)
        # A file whose manifest entry is bad is not read: dated some other way it
        # would be stored with a wrong date. Its error says what to fix.
        unreadable = {name for name, _ in manifest_errors if name is not None}
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.name != MANIFEST_NAME and p.name not in unreadable
        )
        for name in sorted(set(manifest) - {p.name for p in files}):
            warn(f"{path / MANIFEST_NAME}: lists {name}, which is not in the folder")
        inside = path.resolve()
        for file in files:
            if file.suffix.lower() not in ARTICLE_SUFFIXES | FEED_SUFFIXES:
                continue
            if file.is_symlink() and not file.resolve().is_relative_to(inside):
                # Whoever can write into a followed folder must not be able to have /etc/passwd or
                # /proc/self/environ read as an article and mailed out.
                yield SourceError(f"{file}: a link to a file outside the folder; not read")
                continue
            yield from _iter_file(file, manifest.get(file.name), warn, inside, start)
        return
    manifest_errors = []
    try:
        manifest = read_manifest(path.parent, manifest_errors)
    except SourceError as exc:
        yield exc
        manifest = {}
    mine = [error for name, error in manifest_errors if name == path.name]
    if mine:
        yield from mine
        return
    yield from _iter_file(path, manifest.get(path.name), warn, start=start)


def _iter_file(
    path: Path, entry: ManifestEntry | None, warn: Warn, inside: Path | None = None, start: Start | None = None
) -> Iterator[ArticleDraft | SourceError]:
    try:
        if path.suffix.lower() in FEED_SUFFIXES:
            yield from parse_feed(read_bytes(path, inside=inside), str(path), warn, start=start)
        else:
            yield read_article_file(path, entry, warn, inside, start)
    except SourceError as exc:
        yield exc
