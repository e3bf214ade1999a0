"""Full text: the article page behind a feed entry whose own text is short.

Pages are fetched under the same limits as feeds (`tracker.fetching`); the
article text is taken from the HTML with trafilatura. Any failure keeps the
feed's text: a page that cannot be read costs a warning, never the entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from tracker.fetching import FetchPolicy, fetch_all, redact
from tracker.model import ArticleDraft, FetchOutcome, FetchRequest, normalise
from tracker.sources import decode_text

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def needs_full_text(draft: ArticleDraft, min_chars: int) -> bool:
    return len(draft.full_text) < min_chars and draft.url.startswith(("http://", "https://"))


def page_text(html_bytes: bytes, charset: str | None, url: str) -> str | None:
    """The article text of an HTML page, paragraphs apart; None when none is found."""
    try:
        html, _ = decode_text(html_bytes, charset)
    except UnicodeDecodeError:
        return None
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)
    if not text:
        return None
    paragraphs = [" ".join(line.split()) for line in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p) or None


def with_full_text(
    drafts: Sequence[ArticleDraft], policy: FetchPolicy, warn: Callable[[str], None]
) -> list[ArticleDraft]:
    """The drafts with each one's text replaced by its page's article text, where that is longer.

    The feed's text becomes the summary (unless the page holds it already).
    """
    results = fetch_all([FetchRequest(d.url, accept=PAGE_ACCEPT) for d in drafts], policy)
    out = []
    for draft, result in zip(drafts, results, strict=True):
        text = None
        if result.outcome is FetchOutcome.OK:
            text = page_text(result.body, result.charset, draft.url)
            if text is None:
                warn(f"warning: {redact(draft.url)}: no article text found in the page; the feed's text is kept")
        else:
            warn(f"warning: {redact(draft.url)}: cannot fetch the full text: {result.error}; the feed's text is kept")
        if text is None or len(text) <= len(draft.full_text):
            out.append(draft)
            continue
        feed_text = draft.full_text
        summary = "" if normalise(feed_text) in normalise(text) else feed_text
        out.append(replace(draft, text=text, summary=summary))
    return out
