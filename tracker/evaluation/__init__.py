"""Evaluation: how right the tracker is on a labelled corpus, beside a keyword baseline.

A corpus is a folder with `articles/<id>.txt` (title, blank line, body) and
`labels.json`: per article its id, date, title, url and the statements an
analyst reads in it (commitment, status, actor, evidence sentence). The corpus
is ingested day by day through the library face into a temporary database,
and what the tracker stored is compared with the labels (`corpus` reads and
splits corpora, `scoring` compares, `runner` runs both systems, `report` prints).
"""

from tracker.evaluation.corpus import (
    NONE,
    CorpusArticle,
    GoldStatement,
    RejectedStatement,
    export_reviews,
    load_corpus,
    stories,
    story_folds,
    within,
)
from tracker.evaluation.report import format_held_out, format_report
from tracker.evaluation.runner import (
    Evaluation,
    HeldOut,
    evaluate,
    evaluate_folds,
    keyword_baseline,
    pooled,
    run_tracker,
)
from tracker.evaluation.scoring import (
    Figures,
    PredictedStatement,
    Score,
    StatementError,
    gold_timeline,
    same_sentence,
    score_changes,
    score_final,
    score_statements,
)

__all__ = [
    "NONE",
    "CorpusArticle",
    "Evaluation",
    "Figures",
    "GoldStatement",
    "HeldOut",
    "PredictedStatement",
    "RejectedStatement",
    "Score",
    "StatementError",
    "evaluate",
    "evaluate_folds",
    "export_reviews",
    "format_held_out",
    "format_report",
    "gold_timeline",
    "keyword_baseline",
    "load_corpus",
    "pooled",
    "run_tracker",
    "same_sentence",
    "score_changes",
    "score_final",
    "score_statements",
    "stories",
    "story_folds",
    "within",
]
