"""The two systems on a corpus: the tracker through its library face, and a keyword baseline; pooled over folds."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tracker.catalogue import Catalogue
from tracker.config import Config
from tracker.evaluation.corpus import (
    CorpusArticle,
    story_folds,
)
from tracker.evaluation.scoring import (
    Figures,
    PredictedStatement,
    final_statuses,
    gold_timeline,
    score_changes,
    score_final,
    score_statements,
)
from tracker.extraction import split_sentences
from tracker.library import Tracker
from tracker.model import ChangeView


@dataclass
class Evaluation:
    articles: int
    gold_statements: int
    gold_changes: int
    tracker: Figures
    baseline: Figures

    def as_json(self) -> dict:
        return {
            "articles": self.articles,
            "gold_statements": self.gold_statements,
            "gold_changes": self.gold_changes,
            "tracker": self.tracker.as_json(),
            "baseline": self.baseline.as_json(with_errors=False, has_status=False),
        }


def run_tracker(
    corpus: Sequence[CorpusArticle], config: Config, relationship_id: str | None = None
) -> tuple[dict[str, list[PredictedStatement]], list[ChangeView]]:
    """Ingest the corpus day by day through the library face into a temporary database.

    With `relationship_id` only that relationship's statements and changes are kept: the
    corpus is labelled for one relationship, whatever else the database follows beside it.
    """
    with tempfile.TemporaryDirectory() as tmp:
        config = replace(
            config,
            database_url=f"sqlite:///{Path(tmp) / 'eval.db'}",
            reports_dir=Path(tmp) / "reports",
            use_seeds=False,
            folders=(),
            feeds=(),
        )
        with Tracker.open(config) as tracker:
            by_url = {a.url: a.id for a in corpus}
            days = sorted({a.date for a in corpus})
            for day in days:
                tracker.ingest_drafts([a.draft() for a in corpus if a.date == day], day, command="eval")
            predicted: dict[str, list[PredictedStatement]] = defaultdict(list)
            for view in tracker.statements():
                if relationship_id is not None and view.relationship_id != relationship_id:
                    continue
                article_id = by_url[view.source_url]
                predicted[article_id].append(
                    PredictedStatement(
                        article_id, view.commitment_id, view.status, view.actor, view.evidence, view.rule
                    )
                )
            changes = tracker.changes(relationship_id=relationship_id)
    return predicted, changes


def keyword_baseline(corpus: Sequence[CorpusArticle], catalogue: Catalogue) -> tuple[dict, set]:
    """Keyword alerting: every sentence naming a commitment, a change whenever a new article names it."""
    predicted: dict[str, list[PredictedStatement]] = defaultdict(list)
    changes = set()
    for article in corpus:
        for sentence in split_sentences(article.text):
            for commitment in catalogue.commitments:
                if commitment.pattern.search(sentence.text):
                    predicted[article.id].append(
                        PredictedStatement(article.id, commitment.id, "mentioned", "both", sentence.text, "keyword")
                    )
                    changes.add((commitment.id, article.date))
    return predicted, changes


def evaluate(corpus: Sequence[CorpusArticle], catalogue: Catalogue, config: Config) -> Evaluation:
    gold = {a.id: a.statements for a in corpus}
    gold_changes = gold_timeline(corpus)

    tracker = Figures()
    predicted, changes = run_tracker(corpus, config, catalogue.relationship_id)
    score_statements(
        gold,
        predicted,
        tracker,
        rejected={a.id: a.rejected for a in corpus if a.rejected},
        judged={a.id: a.judged for a in corpus if a.judged is not None},
    )
    score_changes(
        ((c.commitment_id, c.date, c.to_status) for c in gold_changes),
        ((c.commitment_id, c.date, c.to_status) for c in changes),
        tracker,
    )
    alerts = Figures()
    score_changes(
        ((c.commitment_id, c.date, c.to_status) for c in gold_changes),
        ((c.commitment_id, c.date, c.to_status) for c in changes if c.confirmed),
        alerts,
    )
    tracker.alerts = alerts.changes
    score_final(final_statuses(gold_changes), final_statuses(changes), tracker)

    baseline = Figures()
    keyword_statements, keyword_changes = keyword_baseline(corpus, catalogue)
    # The baseline knows no status: it is scored status-blind, which flatters it.
    score_statements(gold, keyword_statements, baseline, status_blind=True)
    score_changes(
        ((c.commitment_id, c.date, "any") for c in gold_changes),
        ((cid, day, "any") for cid, day in keyword_changes),
        baseline,
    )
    return Evaluation(len(corpus), sum(len(a.statements) for a in corpus), len(gold_changes), tracker, baseline)


def pooled(results: Sequence[Evaluation]) -> Evaluation:
    """Several evaluations (folds) added up: statements, change events and finals pooled."""
    tracker, baseline = Figures(), Figures()
    for result in results:
        for mine, theirs in ((tracker, result.tracker), (baseline, result.baseline)):
            for name in ("statements", "changes", "alerts"):
                total, part = getattr(mine, name), getattr(theirs, name)
                total.tp, total.fp, total.fn = total.tp + part.tp, total.fp + part.fp, total.fn + part.fn
            for key, score in theirs.by_commitment.items():
                into = mine.by_commitment[key]
                into.tp, into.fp, into.fn = into.tp + score.tp, into.fp + score.fp, into.fn + score.fn
            for key, score in theirs.by_status.items():
                into = mine.by_status[key]
                into.tp, into.fp, into.fn = into.tp + score.tp, into.fp + score.fp, into.fn + score.fn
            mine.confusion.update(theirs.confusion)
            mine.final_right += theirs.final_right
            mine.final_total += theirs.final_total
            mine.actor_right += theirs.actor_right
            mine.actor_total += theirs.actor_total
            mine.statement_errors += theirs.statement_errors
            mine.change_errors += theirs.change_errors
            mine.final_errors += theirs.final_errors
    return Evaluation(
        sum(r.articles for r in results),
        sum(r.gold_statements for r in results),
        sum(r.gold_changes for r in results),
        tracker,
        baseline,
    )


@dataclass
class HeldOut:
    """Figures measured on parts of a corpus each read as a corpus of its own."""

    name: str
    parts: list[Evaluation]
    total: Evaluation

    def as_json(self) -> dict:
        def brief(result: Evaluation) -> dict:
            t, b = result.tracker, result.baseline
            return {
                "articles": result.articles,
                "statements": t.statements.as_json(),
                "changes": t.changes.as_json(),
                "final_status": {"right": t.final_right, "total": t.final_total},
                "baseline_changes": b.changes.as_json(),
            }

        return {"name": self.name, "parts": [brief(p) for p in self.parts], "pooled": brief(self.total)}


def evaluate_folds(corpus: Sequence[CorpusArticle], catalogue: Catalogue, config: Config, k: int) -> HeldOut:
    """Each fold of whole stories read as its own corpus (its own timeline), then pooled."""
    parts = [evaluate(fold_articles, catalogue, config) for fold_articles in story_folds(corpus, k)]
    return HeldOut(f"{len(parts)} folds by story", parts, pooled(parts))
