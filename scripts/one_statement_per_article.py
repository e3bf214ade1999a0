"""Bring a labelled corpus to the convention of one statement per commitment per article.

Older corpora were labelled sentence by sentence, so an article could carry
several statuses for one commitment. This keeps, for each (article,
commitment), the status the article's own statements end on when folded in
sentence order from the commitment's status before that article (the rules of
change), which is what the article says the status is now; the evidence kept
is the sentence that states that status first. Gold change events are
unchanged by construction, except where a day's articles disagree.

Usage: python scripts/one_statement_per_article.py tests/CORPUS [...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tracker.catalogue import POSITIVE_LADDER
from tracker.evaluation import same_sentence
from tracker.extraction import split_sentences
from tracker.timeline.fold import next_status


def relabel(folder: Path) -> int:
    labels_path = folder / "labels.json"
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    current: dict[str, str | None] = {}
    changed = 0
    for item in sorted(labels, key=lambda a: a["date"]):
        text = (folder / "articles" / f"{item['id']}.txt").read_text(encoding="utf-8")
        sentences = [s.text for s in split_sentences(text)]

        def order(statement: dict, sentences: list[str] = sentences) -> int:
            found = (i for i, s in enumerate(sentences) if same_sentence(s, statement["evidence"]))
            return next(found, len(sentences))

        kept: list[dict] = []
        by_commitment: dict[str, list[dict]] = {}
        for statement in item["statements"]:
            by_commitment.setdefault(statement["commitment"], []).append(statement)
        for commitment, statements in by_commitment.items():
            status = current.get(commitment)
            for statement in sorted(statements, key=order):
                status = next_status(status, statement["status"]) or status
            if status is None:
                continue
            ranked = sorted(statements, key=order)
            # A reaffirmation moves nothing: keep the article's highest rung then.
            final = next((s for s in ranked if s["status"] == status), None) or max(
                ranked, key=lambda s: POSITIVE_LADDER.index(s["status"]) if s["status"] in POSITIVE_LADDER else -1
            )
            if len(statements) > 1:
                changed += len(statements) - 1
            kept.append(final)
            current[commitment] = status
        item["statements"] = kept
    labels_path.write_text(json.dumps(labels, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {relabel(Path(name))} statements folded into their article's one statement")
