"""Scoring: statements, change events and final statuses compared with the labels."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from tracker.evaluation.corpus import (
    NONE,
    CorpusArticle,
    GoldStatement,
    RejectedStatement,
)
from tracker.extraction import split_sentences
from tracker.model import ChangeView, FoldInput, StatusChange
from tracker.timeline.fold import current_statuses, fold


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_json(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def same_sentence(a: str, b: str) -> bool:
    """Whether two evidence strings are the same sentence, allowing for split differences."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.8


@dataclass(frozen=True)
class PredictedStatement:
    article_id: str
    commitment: str
    status: str
    actor: str
    evidence: str
    rule: str


@dataclass
class StatementError:
    article_id: str
    commitment: str
    evidence: str
    expected: str
    got: str
    rule: str = ""

    def as_json(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Figures:
    """Every figure the evaluation prints, for the tracker or for the baseline."""

    statements: Score = field(default_factory=Score)
    by_commitment: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_status: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    changes: Score = field(default_factory=Score)
    # Change events that pass the confidence threshold: what would be alerted.
    alerts: Score = field(default_factory=Score)
    final_right: int = 0
    final_total: int = 0
    statement_errors: list[StatementError] = field(default_factory=list)
    change_errors: list[dict] = field(default_factory=list)
    final_errors: list[dict] = field(default_factory=list)
    actor_right: int = 0
    actor_total: int = 0

    @property
    def final_accuracy(self) -> float:
        return self.final_right / self.final_total if self.final_total else 1.0

    def as_json(self, with_errors: bool = True, has_status: bool = True) -> dict:
        """The figures as JSON; without `has_status` (the keyword baseline) those it cannot have are null."""
        result: dict = {
            "statements": self.statements.as_json(),
            "statements_by_commitment": {k: v.as_json() for k, v in sorted(self.by_commitment.items())},
            "statements_by_status": {k: v.as_json() for k, v in sorted(self.by_status.items())},
            "confusion": [{"expected": e, "got": g, "count": n} for (e, g), n in sorted(self.confusion.items())],
            "changes": self.changes.as_json(),
            "alerts": self.alerts.as_json(),
            "final_status": {
                "right": self.final_right,
                "total": self.final_total,
                "accuracy": round(self.final_accuracy, 4),
            },
            "actor_agreement": round(self.actor_right / self.actor_total, 4) if self.actor_total else None,
        }
        if not has_status:
            result.update(alerts=None, final_status=None, actor_agreement=None)
        if with_errors:
            result["errors"] = {
                "statements": [e.as_json() for e in self.statement_errors],
                "changes": self.change_errors,
                "final_status": self.final_errors,
            }
        return result


def score_statements(
    gold: Mapping[str, Sequence[GoldStatement]],
    predicted: Mapping[str, Sequence[PredictedStatement]],
    figures: Figures,
    status_blind: bool = False,
    rejected: Mapping[str, Sequence[RejectedStatement]] | None = None,
    judged: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Match statements per (article, commitment, status), whichever sentence says it.

    An article makes at most one statement per commitment, and which of its
    sentences states it is a labelling choice; what matters to an analyst is
    what the article says the status is. A status-blind score (the keyword
    baseline) matches on (article, commitment) alone. Where an analyst only
    rejected a status for a commitment (a review), reading that status is a
    false positive and any other status is not judged; where the labels
    speak only for some commitments (`judged`), the others are not judged.
    """
    rejected, judged = rejected or {}, judged or {}
    for article_id in sorted(set(gold) | set(predicted)):
        golds: dict[tuple[str, str], GoldStatement] = {}
        for g in gold.get(article_id, ()):
            golds.setdefault((g.commitment, "" if status_blind else g.status), g)
        preds: dict[tuple[str, str], PredictedStatement] = {}
        labelled = {g.commitment for g in gold.get(article_id, ())}
        wrong = {(r.commitment, r.status) for r in rejected.get(article_id, ())}
        only_wrong = {commitment for commitment, _ in wrong} - labelled
        for p in predicted.get(article_id, ()):
            if p.commitment in only_wrong and (p.commitment, p.status) not in wrong:
                continue  # only a wrong status is known for it: this one is not judged
            if article_id in judged and p.commitment not in judged[article_id]:
                continue
            preds.setdefault((p.commitment, "" if status_blind else p.status), p)
        missed = []
        for key, g in golds.items():
            match = preds.pop(key, None)
            if match is None:
                missed.append(g)
                continue
            figures.statements.tp += 1
            figures.by_commitment[g.commitment].tp += 1
            figures.by_status[g.status].tp += 1
            figures.confusion[(g.status, match.status)] += 1
            figures.actor_total += 1
            figures.actor_right += match.actor == g.actor
        for g in missed:
            figures.statements.fn += 1
            figures.by_commitment[g.commitment].fn += 1
            figures.by_status[g.status].fn += 1
            # Read with another status: one error, a false positive beside the false negative.
            other_key = next((k for k in preds if k[0] == g.commitment), None)
            other = preds.pop(other_key) if other_key is not None else None
            figures.confusion[(g.status, other.status if other else NONE)] += 1
            if other is not None:
                figures.statements.fp += 1
                figures.by_commitment[other.commitment].fp += 1
                figures.by_status[other.status].fp += 1
            figures.statement_errors.append(
                StatementError(
                    article_id,
                    g.commitment,
                    g.evidence,
                    g.status,
                    other.status if other else NONE,
                    other.rule if other else "",
                )
            )
        for p in preds.values():
            figures.statements.fp += 1
            figures.by_commitment[p.commitment].fp += 1
            figures.by_status[p.status].fp += 1
            figures.confusion[(NONE, p.status)] += 1
            figures.statement_errors.append(
                StatementError(article_id, p.commitment, p.evidence, NONE, p.status, p.rule)
            )


def gold_timeline(corpus: Sequence[CorpusArticle]) -> list[StatusChange]:
    """The changes the labels imply under the rules of change.

    Articles of one day are folded in the order the tracker folds them (by
    content hash), so that a day whose articles disagree ends where the
    tracker's day would end when every statement is right.
    """
    inputs = []
    for article in corpus:
        sentences = [s.text for s in split_sentences(article.text)]
        order = article.draft().content_hash
        for g in article.statements:
            index = next((i for i, s in enumerate(sentences) if same_sentence(s, g.evidence)), len(sentences))
            inputs.append(FoldInput((article.id, g), g.commitment, g.status, article.date, order, index))
    return fold(inputs)


def score_changes(
    gold: Iterable[tuple[str, date, str]], predicted: Iterable[tuple[str, date, str]], figures: Figures
) -> None:
    """Change events match on commitment, date and the status moved to."""
    gold_set, predicted_set = set(gold), set(predicted)
    figures.changes.tp += len(gold_set & predicted_set)
    figures.changes.fn += len(gold_set - predicted_set)
    figures.changes.fp += len(predicted_set - gold_set)
    for commitment, day, status in sorted(gold_set - predicted_set):
        figures.change_errors.append(
            {"commitment": commitment, "date": day.isoformat(), "expected": status, "got": NONE}
        )
    for commitment, day, status in sorted(predicted_set - gold_set):
        figures.change_errors.append(
            {"commitment": commitment, "date": day.isoformat(), "expected": NONE, "got": status}
        )


def score_final(gold: dict[str, str], predicted: dict[str, str], figures: Figures) -> None:
    for commitment in sorted(set(gold) | set(predicted)):
        figures.final_total += 1
        if gold.get(commitment) == predicted.get(commitment):
            figures.final_right += 1
        else:
            figures.final_errors.append(
                {"commitment": commitment, "expected": gold.get(commitment), "got": predicted.get(commitment)}
            )


def final_statuses(changes: Sequence[StatusChange] | Sequence[ChangeView]) -> dict[str, str]:
    return {cid: change.to_status for cid, change in current_statuses(changes).items()}
