"""Digests: the changes since the last digest, rendered to HTML, Markdown and JSON files.

Templates come from the user's folder first (if configured), then the packaged
`templates/`, so a user can override one file and keep the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
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
    " found statements at F1 0.56 and status changes at F1 0.41, where a keyword alert scores 0.45 on changes:"
    " read the quoted evidence before acting on an alert."
)


@functools.lru_cache(maxsize=8)
def template_environment(user_dir: Path | None = None) -> Environment:
    """The templates' environment, built once per folder of user templates.

    Compiling every template again on each run cost about half a second a run;
    Jinja's auto-reload still sees an edited template (it checks the file's time).
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
    )
    # Markdown has no autoescape: every string from an article or a source goes through `md`,
    # and only http(s) URLs become links.
    env.filters["md"] = escape_markdown
    env.filters["md_url"] = markdown_url
    env.tests["web_url"] = is_web_url
    env.filters["sentence"] = as_sentence
    env.filters["possessive"] = _possessive
    env.globals["sides_of"] = sides_of
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


def build_digest(
    changes: Sequence[ChangeView],
    current: dict[str, ChangeView],
    catalogue: Catalogue,
    as_of: date,
    since: date | None,
    counts: RunCounts,
    divergences: Sequence[dict] = (),
    now: datetime | None = None,
    source_problems: Sequence[dict] = (),
    site_url: str | None = None,
) -> dict:
    """The digest as plain data: what the templates render and the JSON file holds.

    `divergences` are the two governments' differing versions of the period
    (`Divergence.as_json()`), shown side by side. `now` stamps it (default: the clock).
    With `site_url` (where the site is published) each change links to its commitment's history page.
    """
    ordered = sorted(changes, key=lambda c: (not c.setback, c.date, c.commitment_id))
    statuses = []
    for commitment in catalogue.commitments:
        latest = current.get(commitment.id)
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
    return {
        "title": f"{catalogue.relationship_title} commitments: digest of {as_of.isoformat()}",
        "relationship": catalogue.relationship_title,
        # Each side's actor id and label, side A first: how the templates name them.
        "sides": [{"actor": side.actor, "label": side.label} for side in catalogue.sides],
        "as_of": as_of.isoformat(),
        "generated_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "since": since.isoformat() if since else None,
        # Changes below the confidence threshold are shown apart, not alerted.
        "changes": [_change_item(change, site_url) for change in ordered if change.confirmed],
        "unconfirmed": [_change_item(change, site_url) for change in ordered if not change.confirmed],
        "statuses": statuses,
        "divergences": [d | {"commitment_title": _title(catalogue, d["commitment"])} for d in divergences],
        "run": {"ingested": counts.ingested, "skipped": counts.skipped, "failed": counts.failed},
        # Followed feeds that are failing: name, location, since when, why, failures in a row, in_error.
        "sources_in_error": list(source_problems),
        "accuracy": ACCURACY_NOTE,
    }


def _title(catalogue: Catalogue, commitment_id: str) -> str:
    commitment = catalogue.get(commitment_id)
    return commitment.title if commitment else commitment_id


def _change_item(change: ChangeView, site_url: str | None = None) -> dict:
    item = change.as_json() | {"commitment_id": change.commitment_id}
    if site_url:
        item["history_url"] = history_url(site_url, change.commitment_id)
    return item


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
