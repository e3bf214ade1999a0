"""Evaluation: how right the tracker is on a labelled corpus, beside a keyword baseline.

A corpus is a folder with `articles/<id>.txt` (title, blank line, body) and
`labels.json`: per article its id, date, title, url and the statements an
analyst reads in it (commitment, status, actor, evidence sentence). The corpus
is ingested day by day through the real pipeline into a temporary database,
and what the tracker stored is compared with the labels.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from tracker.catalogue import STATUSES, Catalogue
from tracker.config import Config
from tracker.extraction import split_sentences
from tracker.model import ArticleDraft, ChangeView, FoldInput, ReviewedArticle, StatusChange
from tracker.pipeline import Context, RunReport, store_articles, update_timeline
from tracker.private import make_dirs, write_private
from tracker.sources import SourceError, parse_article_text, read_text
from tracker.timeline.fold import current_statuses, fold

NONE = "none"


@dataclass(frozen=True)
class GoldStatement:
    commitment: str
    status: str
    actor: str
    evidence: str


@dataclass(frozen=True)
class RejectedStatement:
    """A status an analyst rejected for a sentence: reading it there is wrong; what is right is not said."""

    commitment: str
    status: str
    evidence: str


@dataclass(frozen=True)
class CorpusArticle:
    id: str
    date: date
    title: str
    url: str
    source: str
    text: str
    statements: tuple[GoldStatement, ...]
    # From analysts' reviews (`tracker review export`): statuses known to be wrong for the article.
    rejected: tuple[RejectedStatement, ...] = ()
    # The commitments the labels speak for, when not all (a review judged only some); None: all.
    judged: tuple[str, ...] | None = None

    def draft(self) -> ArticleDraft:
        return ArticleDraft(
            title=self.title,
            text=self.text,
            published=self.date,
            url=self.url,
            source_name=self.source,
            origin=f"corpus:{self.id}",
        )


def load_corpus(folder: Path, catalogue: Catalogue) -> list[CorpusArticle]:
    """The labelled articles of a corpus folder; a bad label or file is a one-line error."""
    labels_path = folder / "labels.json"
    try:
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"{labels_path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"{labels_path}: not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(f"{labels_path}: not valid JSON: {exc}") from exc
    if not isinstance(labels, list):
        raise SourceError(f"{labels_path}: must be a list of articles")
    articles: list[CorpusArticle] = []
    # The tracker's statements are told apart by their article's URL, so ids and URLs must be unique.
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(labels):
        where = f"{labels_path}: [{index}]"
        article = _labelled_article(folder, item, where, catalogue)
        for key in (("id", article.id), ("url", article.url)):
            if key in seen:
                raise SourceError(f"{where}.{key[0]}: {key[1]!r} is also the {key[0]} of [{seen[key]}]")
            seen[key] = index
        articles.append(article)
    return sorted(articles, key=lambda a: (a.date, a.id))


_KINDS: dict[type, str] = {str: "a non-empty string", list: "a list", dict: "an object"}


def _field(item: dict, name: str, where: str, kind: type = str, default: object = None) -> Any:
    """One field of a label object, of the given JSON type; a default makes it optional (null or "" too)."""
    if default is not None and item.get(name) in (None, ""):
        return default
    if name not in item:
        raise SourceError(f"{where}: missing field {name!r}")
    value = item[name]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise SourceError(f"{where}.{name}: must be {_KINDS[kind]}")
    return value


def _labelled_article(folder: Path, item: object, where: str, catalogue: Catalogue) -> CorpusArticle:
    if not isinstance(item, dict):
        raise SourceError(f"{where}: must be an object with id, date and statements")
    article_id = _field(item, "id", where)
    day = _field(item, "date", where)
    try:
        published = date.fromisoformat(day)
    except ValueError as exc:
        raise SourceError(f"{where}.date: {exc}") from exc
    title, summary, body = parse_article_text(read_text(folder / "articles" / f"{article_id}.txt"))
    statements = []
    for number, s in enumerate(_field(item, "statements", where, list)):
        spot = f"{where}.statements[{number}]"
        if not isinstance(s, dict):
            raise SourceError(f"{spot}: must be an object with commitment, status and evidence")
        commitment, status = _field(s, "commitment", spot), _field(s, "status", spot)
        actor, evidence = _field(s, "actor", spot, default="both"), _field(s, "evidence", spot)
        if commitment not in catalogue.ids:
            raise SourceError(f"{spot}.commitment: unknown commitment {commitment!r}")
        if status not in STATUSES:
            raise SourceError(f"{spot}.status: unknown status {status!r}")
        if actor not in catalogue.actors:
            raise SourceError(f"{spot}.actor: unknown actor {actor!r}")
        statements.append(GoldStatement(commitment, status, actor, evidence))
    rejected = []
    for number, s in enumerate(_field(item, "rejected", where, list, default=[])):
        spot = f"{where}.rejected[{number}]"
        if not isinstance(s, dict):
            raise SourceError(f"{spot}: must be an object with commitment, status and evidence")
        commitment, status = _field(s, "commitment", spot), _field(s, "status", spot)
        if commitment not in catalogue.ids:
            raise SourceError(f"{spot}.commitment: unknown commitment {commitment!r}")
        if status not in STATUSES:
            raise SourceError(f"{spot}.status: unknown status {status!r}")
        rejected.append(RejectedStatement(commitment, status, _field(s, "evidence", spot, default="-")))
    judged = item.get("judged")
    if judged is not None and (
        not isinstance(judged, list) or not all(isinstance(c, str) and c in catalogue.ids for c in judged)
    ):
        raise SourceError(f"{where}.judged: must be a list of the catalogue's commitment ids")
    return CorpusArticle(
        id=article_id,
        date=published,
        title=_field(item, "title", where, default=title or article_id),
        url=_field(item, "url", where, default=f"corpus:{article_id}"),
        source=_field(item, "source", where, default="corpus"),
        text=f"{summary}\n\n{body}" if summary else body,
        statements=tuple(statements),
        rejected=tuple(rejected),
        judged=tuple(judged) if judged is not None else None,
    )


# --- scoring ----------------------------------------------------------------------------


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


def _final(changes: Sequence[StatusChange] | Sequence[ChangeView]) -> dict[str, str]:
    return {cid: change.to_status for cid, change in current_statuses(changes).items()}


# --- the two systems ------------------------------------------------------------------------


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
    corpus: Sequence[CorpusArticle], config: Config
) -> tuple[dict[str, list[PredictedStatement]], list[ChangeView]]:
    """Ingest the corpus day by day through the pipeline into a temporary database."""
    with tempfile.TemporaryDirectory() as tmp:
        config = replace(
            config,
            database_url=f"sqlite:///{Path(tmp) / 'eval.db'}",
            reports_dir=Path(tmp) / "reports",
            use_seeds=False,
            folders=(),
            feeds=(),
        )
        ctx = Context.open(config)
        try:
            by_url = {a.url: a.id for a in corpus}
            days = sorted({a.date for a in corpus})
            for day in days:
                report = RunReport(run_id=ctx.store.start_run("eval", day), as_of=day)
                store_articles(ctx, [a.draft() for a in corpus if a.date == day], day, report)
                update_timeline(ctx, report.touched)
            predicted: dict[str, list[PredictedStatement]] = defaultdict(list)
            for view in ctx.store.statements():
                article_id = by_url[view.source_url]
                predicted[article_id].append(
                    PredictedStatement(
                        article_id, view.commitment_id, view.status, view.actor, view.evidence, view.rule
                    )
                )
            changes = ctx.store.changes()
        finally:
            ctx.close()
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
    predicted, changes = run_tracker(corpus, config)
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
    score_final(_final(gold_changes), _final(changes), tracker)

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


# --- a desk's own reviews as a corpus ----------------------------------------------------


def export_reviews(articles: Sequence[ReviewedArticle], folder: Path) -> int:
    """Write analysts' decisions in the corpus format `tracker eval` reads; returns the articles written.

    A confirmed status is a labelled statement; a rejected one goes under the
    article's `rejected` (that status is wrong for that sentence). The folder
    must be new or empty: an export never overwrites a corpus.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SourceError(f"{folder}: exists and is not an empty folder; give a new one")
    make_dirs(folder / "articles")
    labels = []
    for article in articles:
        article_id = f"a{article.article_id}"
        body = f"{article.summary}\n\n{article.text}" if article.summary else article.text
        write_private(folder / "articles" / f"{article_id}.txt", f"{article.title}\n\n{body}\n")
        labels.append(
            {
                "id": article_id,
                "date": article.published.isoformat(),
                "title": article.title,
                "url": article.url,
                "source": article.source_name,
                "statements": [
                    {"commitment": s.commitment_id, "status": s.status, "actor": s.actor, "evidence": s.evidence}
                    for s in article.statements
                    if s.confirmed
                ],
                "rejected": [
                    {"commitment": s.commitment_id, "status": s.status, "evidence": s.evidence}
                    for s in article.statements
                    if not s.confirmed
                ],
                "judged": sorted({s.commitment_id for s in article.statements}),
                "reviewers": sorted({s.reviewer for s in article.statements}),
            }
        )
    write_private(folder / "labels.json", json.dumps(labels, indent=2, ensure_ascii=False) + "\n")
    return len(labels)


# --- held out by story and by time ----------------------------------------------------------

# A run of words long enough to be a story's own words rather than a stock phrase.
_STORY_SHINGLE = 10


def stories(corpus: Sequence[CorpusArticle]) -> list[list[CorpusArticle]]:
    """The corpus grouped by story: articles that share a near-identical sentence go together.

    Outlets repeat one readout, each with its own cuts and punctuation; an
    article in one fold and its rewrite in another would let a fold be
    measured on text it was tuned on. Two articles share a sentence when they
    share a run of ten words (case and punctuation aside); the sharing is
    transitive (union-find).
    """
    parent = list(range(len(corpus)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[tuple[str, ...], int] = {}
    for i, article in enumerate(corpus):
        for sentence in split_sentences(f"{article.title}\n\n{article.text}"):
            words = re.findall(r"\w+", sentence.text.casefold())
            for n in range(len(words) - _STORY_SHINGLE + 1):
                j = first_seen.setdefault(tuple(words[n : n + _STORY_SHINGLE]), i)
                if j != i:
                    parent[root(i)] = root(j)
    groups: dict[int, list[CorpusArticle]] = defaultdict(list)
    for i, article in enumerate(corpus):
        groups[root(i)].append(article)
    return sorted(groups.values(), key=lambda g: (g[0].date, g[0].id))


def story_folds(corpus: Sequence[CorpusArticle], k: int) -> list[list[CorpusArticle]]:
    """k folds of whole stories, balanced by size; deterministic (largest story first, to the smallest fold)."""
    if k < 2:
        raise ValueError("folds must be at least 2")
    folds: list[list[CorpusArticle]] = [[] for _ in range(k)]
    for story in sorted(stories(corpus), key=lambda g: (-len(g), g[0].date, g[0].id)):
        smallest = min(range(k), key=lambda n: (len(folds[n]), n))
        folds[smallest].extend(story)
    return [sorted(f, key=lambda a: (a.date, a.id)) for f in folds if f]


def within(corpus: Sequence[CorpusArticle], start: date | None, end: date | None) -> list[CorpusArticle]:
    """The articles dated from `start` to `end` (both included, either open)."""
    return [a for a in corpus if (start is None or a.date >= start) and (end is None or a.date <= end)]


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


def evaluate_folds(
    corpus: Sequence[CorpusArticle], catalogue: Catalogue, config: Config, k: int
) -> HeldOut:
    """Each fold of whole stories read as its own corpus (its own timeline), then pooled."""
    parts = [evaluate(fold_articles, catalogue, config) for fold_articles in story_folds(corpus, k)]
    return HeldOut(f"{len(parts)} folds by story", parts, pooled(parts))


def format_held_out(held: HeldOut) -> str:
    out = [f"Held out, {held.name} (each part read as a corpus of its own; pooled last):"]
    for number, part in enumerate([*held.parts, held.total], start=1):
        t, b = part.tracker, part.baseline
        label = "pooled" if part is held.total else f"part {number}"
        out.append(
            f"  {label:<8} {part.articles:>4} articles  statements F1 {t.statements.f1:.3f}"
            f"  changes P {t.changes.precision:.3f} R {t.changes.recall:.3f} F1 {t.changes.f1:.3f}"
            f"  finals {t.final_right}/{t.final_total}  keyword changes F1 {b.changes.f1:.3f}"
        )
    return "\n".join(out)


# --- the report ---------------------------------------------------------------------------


def _line(name: str, score: Score) -> str:
    return (
        f"  {name:<22} P {score.precision:6.3f}  R {score.recall:6.3f}  F1 {score.f1:6.3f}"
        f"   (tp {score.tp}, fp {score.fp}, fn {score.fn})"
    )


def format_report(result: Evaluation, errors: bool = True) -> str:
    t, b = result.tracker, result.baseline
    out = [
        f"Corpus: {result.articles} articles, {result.gold_statements} labelled statements, "
        f"{result.gold_changes} changes implied by the labels.",
        "",
        "Statements (same article, commitment, sentence and status):",
        _line("tracker", t.statements),
        _line("keyword baseline*", b.statements),
        "",
        "Change events (same commitment, date and new status):",
        _line("tracker", t.changes),
        _line("tracker, alerts only†", t.alerts),
        _line("keyword baseline*", b.changes),
        "",
        f"Final status right: tracker {t.final_right}/{t.final_total} ({t.final_accuracy:.3f}); "
        "keyword baseline: none (it has no status).",
    ]
    if t.actor_total:
        out.append(f"Actor agrees on matched statements: {t.actor_right}/{t.actor_total}.")
    out += [
        "* scored status-blind (a mention or a change on the right day counts), which flatters it.",
        "† changes at or above the confidence threshold; the rest go to the digest's unconfirmed signals.",
        "",
    ]
    out.append("Tracker statements by commitment:")
    out += [_line(k, v) for k, v in sorted(t.by_commitment.items())]
    out.append("Tracker statements by status:")
    out += [_line(k, v) for k, v in sorted(t.by_status.items())]
    labels = [*STATUSES, NONE]
    out += ["", "Confusion (rows expected, columns got):", " " * 18 + "".join(f"{s[:9]:>10}" for s in labels)]
    for e in labels:
        out.append(f"  {e:<16}" + "".join(f"{t.confusion.get((e, g), 0) or '.':>10}" for g in labels))
    if errors:
        out += ["", f"Statement errors ({len(t.statement_errors)}):"]
        for err in t.statement_errors:
            rule = f" [{err.rule}]" if err.rule else ""
            out.append(f"  {err.article_id} {err.commitment}: expected {err.expected}, got {err.got}{rule}")
            out.append(f"      “{err.evidence}”")
        out += [f"Change errors ({len(t.change_errors)}):"]
        out += [f"  {e['date']} {e['commitment']}: expected {e['expected']}, got {e['got']}" for e in t.change_errors]
        out += [f"Final status errors ({len(t.final_errors)}):"]
        out += [f"  {e['commitment']}: expected {e['expected']}, got {e['got']}" for e in t.final_errors]
    return "\n".join(out)
