"""Digests: the changes since the last digest, rendered to HTML, Markdown and JSON files.

Templates come from the user's folder first (if configured), then the packaged
`templates/`, so a user can override one file and keep the rest.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from tracker.catalogue import SHARED_ACTORS, Catalogue, possessive
from tracker.model import ChangeView, RevisionView, RunCounts
from tracker.resources import bundled_dir
from tracker.sanitize import escape_markdown, is_web_url, markdown_url

FORMATS = (("html", "digest.html.j2"), ("md", "digest.md.j2"))


# What the reader is worth on reporting it had not seen, as the README states it ("How accurate it
# is"; a test holds the two to the same words). Every digest says it under its changes.
ACCURACY_NOTE = (
    "Measured on real reporting held out from its development, the reader"
    " found statements at F1 0.64 and status changes at F1 0.56, where a keyword alert scores 0.44 on changes:"
    " read the quoted evidence before acting on an alert."
)


@functools.lru_cache(maxsize=8)
def template_environment(user_dir: Path | None = None, finalize: Callable[[Any], Any] | None = None) -> Environment:
    """The templates' environment, built once per folder of user templates and `finalize`.

    Compiling every template again on each run cost about half a second a run;
    Jinja's auto-reload still sees an edited template (it checks the file's time).
    Shared by whoever asks for the same arguments, so nobody may change it:
    an output filter (`finalize`) is an argument, hence an environment of its own.
    """
    loaders = [FileSystemLoader(str(user_dir))] if user_dir else []
    loaders.append(FileSystemLoader(str(bundled_dir("templates"))))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    # Markdown has no autoescape: every string from an article or a source goes through `md`,
    # and only http(s) URLs become links.
    env.filters["md"] = escape_markdown
    env.filters["md_url"] = markdown_url
    env.tests["web_url"] = is_web_url
    env.filters["sentence"] = as_sentence
    env.filters["possessive"] = _possessive
    env.globals["sides_of"] = sides_of
    env.globals["sections_of"] = sections_of
    env.globals["section_digest"] = section_digest
    return env


@pass_eval_context
def _possessive(context: EvalContext, label: str) -> str:
    # The apostrophe is the template's own text: escaped, "Ruritania's" would read "Ruritania&#39;s" in the source.
    if context.autoescape:
        return escape(label) + Markup(possessive(label)[len(label) :])
    return possessive(label)


def sides_of(digest: Mapping) -> dict[str, str]:
    """The relationship's sides as a digest names them: label by actor id, side A first.

    A digest stored before digests named their sides: the actors its versions and
    changes name, each labelled as a catalogue labels it by default (capitalised).
    """
    if digest.get("sides"):
        return {side["actor"]: side["label"] for side in digest["sides"]}
    named = [key for d in digest.get("divergences") or [] for key in d if isinstance(d[key], dict)]
    named += [c.get("actor") for key in ("changes", "unconfirmed") for c in digest.get(key) or []]
    actors = [a for a in dict.fromkeys(named) if isinstance(a, str) and a and a not in SHARED_ACTORS]
    return {actor: actor.capitalize() for actor in actors}


def as_sentence(text: str) -> str:
    """An analyst's note closed with a full stop, unless it ends with its own (no "continue.. This")."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?…" else text + "."


@dataclass(frozen=True)
class RelationshipPart:
    """One relationship's share of a day's digest: its catalogue, its status board, and what it reports.

    `divergences` are its two governments' differing versions (`Divergence.as_json()`);
    `revisions` None leaves the "revised" list out (a digest built before it had one).
    """

    catalogue: Catalogue
    current: Mapping[str, ChangeView]
    changes: Sequence[ChangeView] = ()
    divergences: Sequence[dict] = ()
    revisions: Sequence[RevisionView] | None = None


def build_digest(
    changes: Sequence[ChangeView],
    current: Mapping[str, ChangeView],
    catalogue: Catalogue,
    as_of: date,
    since: date | None,
    counts: RunCounts,
    divergences: Sequence[dict] = (),
    now: datetime | None = None,
    source_problems: Sequence[dict] = (),
    site_url: str | None = None,
) -> dict:
    """The digest of one relationship as plain data: what the templates render and the JSON file holds.

    `divergences` are the two governments' differing versions of the period
    (`Divergence.as_json()`), shown side by side. `now` stamps it (default: the clock).
    With `site_url` (where the site is published) each change links to its commitment's history page.
    """
    part = RelationshipPart(catalogue, current, changes, divergences)
    return build_desk_digest([part], as_of, since, counts, now, source_problems, site_url)


def build_desk_digest(
    parts: Sequence[RelationshipPart],
    as_of: date,
    since: date | None,
    counts: RunCounts,
    now: datetime | None = None,
    source_problems: Sequence[dict] = (),
    site_url: str | None = None,
) -> dict:
    """The day's digest of every followed relationship: a section each under `relationships`.

    The top-level lists hold every section's items, in the sections' order, so a reader of
    one relationship's digest (and a digest stored before sections) reads them as before.
    With one relationship the digest is titled after it; with several, after all of them.
    The first relationship's pages sit at the site's top; the others' under their own id.
    """
    if not parts:
        raise ValueError("a digest needs at least one relationship")
    primary = parts[0].catalogue.relationship_id
    sections = [_section(part, site_url, part.catalogue.relationship_id != primary) for part in parts]
    one = sections[0] if len(sections) == 1 else None
    desk = desk_title([part.catalogue.relationship_title for part in parts])

    def every(key: str) -> list[dict]:
        # With several relationships an id may be two commitments': each item says whose it is.
        items = [(s["relationship_id"], item) for s in sections for item in s.get(key, [])]
        return [item if one else {**item, "relationship_id": rid} for rid, item in items]

    digest = {
        "title": f"{desk} commitments: digest of {as_of.isoformat()}",
        "relationship": desk,
        # Each side's actor id and label, side A first: how the templates name them (each section has its own).
        "sides": one["sides"] if one else [],
        "as_of": as_of.isoformat(),
        "generated_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "since": since.isoformat() if since else None,
        # Changes below the confidence threshold are shown apart, not alerted.
        "changes": every("changes"),
        "unconfirmed": every("unconfirmed"),
        "statuses": every("statuses"),
        "divergences": every("divergences"),
        "run": {"ingested": counts.ingested, "skipped": counts.skipped, "failed": counts.failed},
        # Followed feeds that are failing: name, location, since when, why, failures in a row, in_error.
        "sources_in_error": list(source_problems),
        "accuracy": ACCURACY_NOTE,
    }
    if any(part.revisions is not None for part in parts):
        digest["revised"] = every("revised")
    digest["relationships"] = sections
    return digest


def desk_title(titles: Sequence[str]) -> str:
    """The relationships' titles as one name: "A", "A and B", "A, B and C"."""
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def _section(part: RelationshipPart, site_url: str | None, nested: bool) -> dict:
    catalogue = part.catalogue
    rid = catalogue.relationship_id
    ordered = sorted(part.changes, key=lambda c: (not c.setback, c.date, c.commitment_id))
    statuses = []
    for commitment in catalogue.commitments:
        latest = part.current.get(commitment.id)
        statuses.append(
            {
                "commitment_id": commitment.id,
                "title": commitment.title,
                "status": latest.to_status if latest else None,
                "since": latest.date.isoformat() if latest else None,
                "evidence": latest.evidence if latest else None,
                "source_url": latest.source_url if latest else None,
            }
        )
    pages = site_url and (page_prefix(site_url, rid) if nested else site_url)
    section = {
        "relationship_id": rid,
        "relationship": catalogue.relationship_title,
        "sides": [{"actor": side.actor, "label": side.label} for side in catalogue.sides],
        "changes": [_change_item(change, pages) for change in ordered if change.confirmed],
        "unconfirmed": [_change_item(change, pages) for change in ordered if not change.confirmed],
        "statuses": statuses,
        "divergences": [d | {"commitment_title": _title(catalogue, d["commitment"])} for d in part.divergences],
    }
    if part.revisions is not None:
        section["revised"] = revision_items(part.revisions)
    return section


def sections_of(digest: Mapping) -> list[dict]:
    """A digest's relationship sections; a digest stored before it had them is its own one section."""
    sections = digest.get("relationships")
    if sections:
        return list(sections)
    keys = ("relationship", "sides", "changes", "unconfirmed", "statuses", "divergences", "revised")
    return [{"relationship_id": None, **{key: digest[key] for key in keys if key in digest}}]


def named_sections(digest: Mapping) -> list[dict]:
    """The sections of a digest built with them (each names its relationship); none for an older one."""
    return [s for s in digest.get("relationships") or [] if s.get("relationship_id")]


def section_of(digest: Mapping, relationship_id: str) -> dict | None:
    """One relationship's section of a digest, or None when it has none."""
    return next((s for s in named_sections(digest) if s["relationship_id"] == relationship_id), None)


def section_digest(digest: Mapping, section: Mapping) -> dict:
    """One relationship's digest out of a desk's: its section's lists and title, the day's common facts.

    What a relationship's own recipients are given (and `digest show --relationship`), as a one-relationship digest.
    """
    common = ("as_of", "generated_at", "since", "run", "sources_in_error", "accuracy")
    one = {key: digest[key] for key in common if key in digest}
    title = section.get("relationship") or digest.get("relationship") or "Tracked"
    fields = {key: value for key, value in section.items() if key != "relationship_id"}
    return {"title": f"{title} commitments: digest of {digest.get('as_of')}", **fields, **one} | {
        "relationships": [dict(section)]
    }


def _title(catalogue: Catalogue, commitment_id: str) -> str:
    commitment = catalogue.get(commitment_id)
    return commitment.title if commitment else commitment_id


def _change_item(change: ChangeView, site_url: str | None = None) -> dict:
    item = change.as_json() | {"commitment_id": change.commitment_id}
    if site_url:
        item["history_url"] = history_url(site_url, change.commitment_id)
    return item


def relationship_slug(relationship_id: str) -> str:
    """A relationship id as a file or folder name: a catalogue's id is free text, a path must not be."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", relationship_id).strip("-") or "relationship"


def relationship_folder(relationship_id: str) -> str:
    """Where a relationship other than the first has its site pages: under its own id, beside the first's."""
    return f"relationships/{relationship_slug(relationship_id)}"


def page_prefix(site_url: str, relationship_id: str) -> str:
    return f"{site_url.rstrip('/')}/{relationship_folder(relationship_id)}"


def history_url(site_url: str, commitment_id: str) -> str:
    """A commitment's page on the published site (`site_url` is where the site's index.html is)."""
    return f"{site_url.rstrip('/')}/commitments/{quote(commitment_id)}.html"


def revision_items(revisions: Sequence[RevisionView]) -> list[dict]:
    """The digest's "Revised" section: what was reported, what the timeline says now, and why."""
    return [
        {
            "commitment_id": r.reported.commitment_id,
            "commitment_title": r.reported.commitment_title,
            "reported": _change_item(r.reported),
            "reported_in": r.reported_in.isoformat(),
            "now_status": r.now_status,
            "now_since": r.now_since.isoformat() if r.now_since else None,
            "because": _change_item(r.because) if r.because else None,
            "rejected": (
                {
                    "reviewer": r.rejected.reviewer,
                    "day": r.rejected.created_at.date().isoformat(),
                    "note": r.rejected.note,
                }
                if r.rejected
                else None
            ),
        }
        for r in revisions
    ]
