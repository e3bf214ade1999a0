"""Extraction: what an article states about the current status of tracked commitments.

The stage's public face; the reader and its parts live in the modules beside
this one (text → grammar → cues → reasons → reader).
"""

from tracker.extraction.grammar import DEFAULT_NLP_MODEL, GrammarError
from tracker.extraction.reader import (
    ArticleText,
    ExtractedStatement,
    Rejection,
    attribution,
    extract_many,
    extract_statements,
)
from tracker.extraction.reasons import Reason
from tracker.extraction.text import Sentence, split_sentences

__all__ = [
    "DEFAULT_NLP_MODEL",
    "ArticleText",
    "ExtractedStatement",
    "GrammarError",
    "Reason",
    "Rejection",
    "Sentence",
    "attribution",
    "extract_many",
    "extract_statements",
    "split_sentences",
]
