"""Extraction: what an article states about the current status of tracked commitments.

Pure functions over plain data: text in, `ExtractedStatement`s out. The rules
are the catalogue's phrases and the cue lexicon's named cues and modifiers;
this module only decides which cue governs which mention and whether a
modifier (negation, speculation, a retrospective anchor, another relationship)
cancels it.
"""

from __future__ import annotations

import calendar
import os
import itertools
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from syntok import segmenter

from tracker import grammar
from tracker.catalogue import NEGATIVE_STATUSES, POSITIVE_LADDER, Catalogue, Commitment, CueRule, Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH_ALT = "|".join(name for name in calendar.month_name if name)
# "in April", "in early April 2025", "on January 27", "in 2020": anchors that date an event.
_DATED_ANCHOR = re.compile(
    rf"\b(?i:in|on|during|by) (?i:early |mid-|late |the end of )?(?P<month>{_MONTH_ALT})"
    rf"(?: (?P<day>\d{{1,2}}))?(?:,? (?P<year>(?:19|20)\d\d))?\b"
    rf"|\b(?i:in|during) (?i:the )?(?i:early |mid-|late |the end of )?(?P<year_only>(?:19|20)\d\d)s?\b"
)
_CLAUSE_BREAK = re.compile(
    r";|:\s|\s[-–—]\s|,?\s(?:while|whereas|but|although|though|even as|even though)\s|;\s*however,?\s"
    r"|\sand that\s|,\s+and\s+(?=(?:the|a|an|its|their|India's|China's|Beijing's|New Delhi's)\s)",
    re.IGNORECASE,
)
_LEADING_SUBORDINATE = re.compile(
    r"^\s*(?:While|Although|Though|Whereas|Even as|Having|After|Before)\b[^,]*,", re.IGNORECASE
)
# Descriptions that restate the past inside a sentence: ", which were suspended in 2020,",
# ", suspended since 2020,", "(halted after the 2020 clashes)".
_DESCRIPTION = re.compile(
    r",\s(?:which|that|who)\s[^,;]*(?:,|$)"
    r"|,\s(?:suspended|halted|frozen|banned|stalled|disrupted|closed|imposed|introduced|agreed|announced|launched|resumed)\s(?:in|since|after|following|from|during|at|by|on|earlier|last)\b[^,;]*(?:,|$)"
    r"|\([^)]*\)"
    r"|\s(?:which|that) (?:were|was|have been|has been|had been|began|came|took|\w+ed)\s[^,;]*"
    # "the apps blocked in 2020 remain banned": a participle dated in the past.
    r"|(?<!were)(?<!was)(?<!been)(?<!is)(?<!are)(?<!had)(?<!has)(?<!have)"
    r"\s(?:suspended|halted|frozen|banned|blocked|imposed|introduced|announced|launched|agreed|signed|created|set up)"
    r"\s(?:in|since|during|after|following)\s(?:early |mid-|late )?(?:(?:19|20)\d\d|[A-Z][a-z]+)\b",
    re.IGNORECASE,
)
_BOTH_SUBJECT = re.compile(
    r"\b(?:both sides|the two sides|both countries|the two countries|both nations|the two nations|"
    r"the two neighbours|the two neighbors|both leaders|the two leaders|both ministers|both officials|"
    r"both parties|the sides|they|jointly|the two|both)\b",
    re.IGNORECASE,
)
_PAST_VERB = re.compile(
    r"^(?:(?:was|were|had|had been|got) )?"
    r"(?:\w+ed|held|began|took|met|made|reached|signed|built|froze|shut|set|put|sought)\b",
    re.IGNORECASE,
)
_PAST_WORD = re.compile(r"\b(?:\w+ed|held|began|took|met|made|reached|signed|froze|sought)\b", re.IGNORECASE)
_PAST_RELATIVE = re.compile(r"[\s,(]*(?:(?:which|that|who)\s+)?(?:was|were|had|\w+ed)\b", re.IGNORECASE)
# Statuses that only a party to the relationship can bring about by acting.
_ACTIONS = frozenset({"proposed", "under_discussion", "agreed"})
# "21 October 2024: New Delhi announces…": an entry of a timeline, dated in its first words.
_DATED_ENTRY = re.compile(
    rf"^\s*(?:(?P<d1>\d{{1,2}}) (?P<m1>{_MONTH_ALT})|(?P<m2>{_MONTH_ALT}) (?P<d2>\d{{1,2}}),?)"
    rf" (?P<y>(?:19|20)\d\d)\s*[:–—-]"
)
# "…, the Ministry of External Affairs said." / "Lin Jian said …" / "according to Xinhua".
_SAYS = r"(?:said|says|told reporters|told|stated|announced|confirmed|noted|added|informed|declared)"
_ATTRIBUTION = (
    re.compile(r"\baccording to (?P<who>[^,.;]{3,80}?)(?=[,.;]|$)", re.IGNORECASE),
    re.compile(rf"(?:^|,\s*)(?P<who>[^,;]{{2,80}}?)\s+{_SAYS}\b"),
    re.compile(rf",\s*{_SAYS}\s+(?P<who>[^,;]{{3,80}}?)[.!]?[\"'”’]*\s*$"),
)
# "Press Trust of India: …" — a speaker's label in a transcript.
_SPEAKER = re.compile(r"^\s*[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*| of| the){0,5}\s*:\s")
_QUESTION = re.compile(r"^\s*(?:Q|Question)\s*[:.]", re.IGNORECASE)
_FINITE_PAST = re.compile(r"\b(?:was|were|had been|had)\s+\w+ed\b", re.IGNORECASE)
_PRESENT_START = re.compile(r"^(?:has|have|is|are|remains?|continues?)\b", re.IGNORECASE)
_FORWARD = re.compile(r"^(?:will|would|shall|set to|scheduled|slated|due|poised|to be)\b", re.IGNORECASE)
_PRESENT_AUX = re.compile(r"\b(?:has|have|is|are|remains?|continues? to)\s+(?:\w+\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    index: int
    paragraph: int
    start: int
    text: str


@dataclass(frozen=True)
class ExtractedStatement:
    """One article's assertion about one commitment's current status."""

    commitment_id: str
    status: str
    actor: str
    evidence: str
    sentence_index: int
    confidence: float
    rule: str
    # Who the sentence says it (a ministry, a spokesperson, an outlet), when it says.
    attribution: str = ""
    # How the governing cue was found: the tree path and the predicate's features.
    path: str = ""


@dataclass(frozen=True)
class Rejection:
    """A mention that was not taken as a statement, and why (for diagnostics)."""

    commitment_id: str
    sentence_index: int
    reason: str
    evidence: str


@dataclass(frozen=True)
class _Cue:
    rule: CueRule
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their paragraph index, sliced from the original text."""
    sentences: list[Sentence] = []
    for paragraph_index, paragraph in enumerate(segmenter.analyze(text)):
        for tokens in paragraph:
            if not tokens:
                continue
            start = tokens[0].offset
            end = tokens[-1].offset + len(tokens[-1].value)
            chunk = text[start:end].strip()
            if chunk:
                sentences.append(Sentence(len(sentences), paragraph_index, start, chunk))
    return sentences


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans: a cue governs only mentions in its own clause."""
    bounds = [0]
    lead = _LEADING_SUBORDINATE.match(text)
    if lead:
        bounds.append(lead.end())
    for match in _CLAUSE_BREAK.finditer(text):
        if match.start() > 0:
            bounds.append(match.start())
    bounds = [*sorted(set(bounds)), len(text)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    return next((s for s in spans if s[0] <= span[0] and span[1] <= s[1]), None)


def _subject_fits(rule: CueRule, before: str) -> bool:
    # Only the words since the last clause break are the cue's subject.
    before = re.split(r"[;:]|,\s(?:and|but|while|whereas)\s", before)[-1]
    if rule.subject is not None and not rule.subject.search(before):
        return False
    return not (rule.not_subject is not None and rule.not_subject.search(before))


def _find_cues(text: str, lexicon: Lexicon) -> list[_Cue]:
    cues = [
        _Cue(rule, m.start(), m.end(), m.group(0))
        for rule in lexicon.cues
        for m in rule.pattern.finditer(text)
        if _subject_fits(rule, text[: m.start()])
    ]

    # Where two cues overlap, one phrase is being read twice: a predicate beats
    # a noun phrase ("imposed restrictions on"), then the longer match wins
    # ("remain suspended" is one cue, not "suspended" as well).
    def strength(cue: _Cue) -> tuple[bool, int]:
        return (cue.rule.form == "verb", cue.end - cue.start)

    cues.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Cue] = []
    for cue in cues:
        if kept and cue.start < kept[-1].end:
            if strength(cue) > strength(kept[-1]):
                kept[-1] = cue
            continue
        kept.append(cue)
    return kept


def _sides_in(text: str, catalogue: Catalogue) -> set[str]:
    found = set()
    for side in (catalogue.side_a, catalogue.side_b):
        if side.pattern.search(text):
            found.add(side.actor)
    return found


def _relationship_scope(
    clause: str,
    sentence: Sentence,
    paragraph_text: str,
    article_text: str,
    commitment: Commitment,
    catalogue: Catalogue,
) -> float | None:
    """How sure we are that the clause is about this relationship, or None if it is not.

    The nearest text that names both sides decides; a third country named
    nearer than that means another relationship.
    """
    both = {catalogue.side_a.actor, catalogue.side_b.actor}
    if catalogue.others.search(clause) and _sides_in(clause, catalogue) != both:
        return None
    for text, factor in ((sentence.text, 1.0), (paragraph_text, 0.9)):
        if _sides_in(text, catalogue) == both:
            return factor
        if catalogue.others.search(text):
            return None
    if commitment.implies_relationship or _sides_in(article_text, catalogue) == both:
        return 0.8
    return None


def _choose_cue(
    sentence: str,
    mention: tuple[int, int],
    cues: list[_Cue],
    clause: tuple[int, int],
    descriptions: list[tuple[int, int]],
) -> _Cue | None:
    mention_description = _inside(mention, descriptions)
    usable = [
        c
        for c in cues
        if clause[0] <= c.start < clause[1] and _inside((c.start, c.end), descriptions) == mention_description
    ]
    if mention_description is None:
        # "the yatra, which is due to begin later this month": a relative clause
        # in the present or future, right after the mention, says where it
        # stands now, more exactly than the verb the mention is the object of.
        attached = next((d for d in descriptions if 0 <= d[0] - mention[1] <= 2), None)
        if attached and not _PAST_RELATIVE.match(sentence[attached[0] : attached[1]]):
            inner = [c for c in cues if c.rule.form == "verb" and attached[0] <= c.start < attached[1]]
            if inner:
                return inner[0]
    verbs = [c for c in usable if c.rule.form == "verb"]
    before = [c for c in verbs if c.end <= mention[0]]
    after = [c for c in verbs if c.start >= mention[1]]
    overlapping = [c for c in verbs if c not in before and c not in after]
    if overlapping:
        return overlapping[0]
    nearest_before = before[-1] if before else None
    nearest_after = after[0] if after else None
    if nearest_after and nearest_before:
        gap_after = nearest_after.start - mention[1]
        gap_before = mention[0] - nearest_before.end
        # The mention is the subject of a predicate right after it ("curbs on
        # rare earths remain in force"), or the earlier cue only introduces a
        # clause ("agreed that flights will resume on 26 October").
        # "…the yatra has resumed and direct flights are being resumed": a new
        # coordinated clause whose subject is the mention.
        new_clause = re.search(r"\band\b|,", sentence[nearest_before.end : mention[0]])
        subject_of_after = gap_after <= (60 if new_clause else 40) and not re.search(
            r"[,;]|\band\b", sentence[mention[1] : nearest_after.start]
        )
        # "agreed that flights will resume on 26 October": the clause after
        # "that" says where it stands; "agreed that the SRs will meet" puts the
        # boundary under discussion ("will be discussed"), as the domain reads it.
        if nearest_before.text.lower().endswith(" that") or (
            subject_of_after and (gap_after < gap_before or new_clause)
        ):
            return nearest_after
    if nearest_before:
        return nearest_before
    if nearest_after:
        return nearest_after
    nouns = [c for c in usable if c.rule.form == "noun"]
    if not nouns:
        return None
    return min(nouns, key=lambda c: min(abs(c.start - mention[1]), abs(mention[0] - c.end)))



@dataclass(frozen=True)
class TreeReading:
    """What the parse says governs a mention: the cue, the path to it, and the predicate's features."""

    cue: _Cue | None
    path: str
    features: grammar.PredicateFeatures | None
    # Set when the tree rules a cue out: "embedded-nominal".
    veto: str = ""


def _cue_tokens(doc: Doc, cues: list[_Cue]) -> dict[int, _Cue]:
    owner: dict[int, _Cue] = {}
    for cue in cues:
        for token in grammar.tokens_in(doc, cue.start, cue.end):
            owner.setdefault(token.i, cue)
    return owner


_CLAUSE_EDGES = frozenset({"relcl", "acl"})
_OBJECT_EDGES = frozenset({"dobj", "pobj", "pcomp", "prep", "appos", "conj", "cc", "compound", "amod", "poss"})


def _outer_cue(chain: list[Token], depth: int, owner: dict[int, _Cue], cue: _Cue) -> tuple[_Cue, int]:
    """The highest rung among the cues of one chain of non-finite verbs up to its finite verb.

    "agreed to promote X" is agreed, "agreed to take measures to promote X"
    too, "agreed to expedite X" in progress. A setback cue stays as it is.
    """
    if cue.rule.status not in POSITIVE_LADDER:
        return cue, depth
    best, top = cue, depth
    for higher in range(depth, len(chain)):
        node = chain[higher]
        outer = owner.get(node.i)
        if (
            outer is not None
            and outer.rule.form == "verb"
            and outer.rule.status in POSITIVE_LADDER
            and POSITIVE_LADDER.index(outer.rule.status) > POSITIVE_LADDER.index(best.rule.status)
        ):
            best, top = outer, higher
        if node.pos_ in ("VERB", "AUX") and grammar.is_finite(node):
            break
    return best, top


_COMPLEMENTS = frozenset({"acomp", "attr", "oprd", "prep", "dobj", "prt", "advmod", "neg", "aux", "auxpass"})


def _complement_cue(verb: Token, branch: Token, owner: dict[int, _Cue]) -> _Cue | None:
    """A verb cue on the verb's complements (not on the branch that leads to the mention)."""
    for child in verb.children:
        if child.i == branch.i or child.dep_ not in _COMPLEMENTS:
            continue
        for token in [child, *child.children]:
            cue = owner.get(token.i)
            if cue is not None and cue.rule.form == "verb":
                return cue
    return None


def _tree_cue(
    doc: Doc, mention: tuple[int, int], cues: list[_Cue], descriptions: list[tuple[int, int]]
) -> TreeReading:
    """The cue on the mention's path up the dependency tree, nearest first.

    A verb cue decides at once; a noun cue decides only when no verb above it
    in the same clause does. A resumption named as a noun inside the object of
    a predicate that is no cue ("gave direction on …, including the resumption
    of X") asserts nothing about X's status.
    """
    tokens = grammar.tokens_in(doc, *mention)
    head = grammar.span_head(tokens)
    if head is None:
        return TreeReading(None, "", None)
    # A description set off by commas (", agreed in principle in January,") speaks
    # only of its own noun, however the parser attached it.
    own = _inside(mention, descriptions)
    owner = _cue_tokens(doc, [c for c in cues if _inside((c.start, c.end), descriptions) in (None, own)])
    inside = {t.i for t in tokens}
    chain = grammar.path_up(head)
    noun_hit: tuple[_Cue, int] | None = None
    for depth, node in enumerate(chain):
        cue = owner.get(node.i) if node.i not in inside or depth == 0 else None
        if cue is None and depth > 0 and node.pos_ in ("VERB", "AUX"):
            # "remain on hold", "have made no progress": the predicate's own complements.
            cue = _complement_cue(node, chain[depth - 1], owner)
        if cue is not None and not (cue.start < mention[1] and mention[0] < cue.end and node.i in inside):
            verb = grammar.verb_of(node)
            if cue.rule.form == "verb":
                cue, top = _outer_cue(chain, depth, owner, cue)
                return TreeReading(cue, grammar.describe_path(chain[: top + 1]), grammar.predicate_features(verb))
            if noun_hit is None:
                noun_hit = (cue, depth)
        if depth > 0 and chain[depth - 1].dep_ in _CLAUSE_EDGES:
            # A relative clause or participle is read only for its own noun.
            break
        if node.dep_ == "conj" and node.pos_ in ("VERB", "AUX") and grammar.is_finite(node) and depth > 0:
            # "…remained suspended, and the border standoff kept them away": a
            # coordinated clause with its own subject is a statement of its own.
            break
    if noun_hit is not None:
        cue, depth = noun_hit
        above = chain[depth + 1 :]
        verbs = [n for n in above if n.pos_ in ("VERB",)]
        path = grammar.describe_path(chain[: depth + 1])
        if cue.rule.status == "implemented" and verbs:
            edges = {n.dep_ for n in chain[depth : chain.index(verbs[0])]}
            if edges <= _OBJECT_EDGES | {"nsubj"} and "nsubj" not in edges:
                return TreeReading(None, path, None, veto="embedded-nominal")
        verb = verbs[0] if verbs else chain[depth]
        return TreeReading(cue, path, grammar.predicate_features(verb))
    # "the yatra, which resumed last month": a relative clause on the mention.
    for child in head.children:
        if child.dep_ in ("relcl", "acl") and child.i in owner and owner[child.i].rule.form == "verb":
            features = grammar.predicate_features(child)
            cue = owner[child.i]
            if cue.rule.status == "implemented" or features.tense in ("present", "future"):
                return TreeReading(cue, f"{head.text} -{child.dep_}> {child.text}", features)
    return TreeReading(None, grammar.describe_path(chain), None)


def _anchor_is_past(match: re.Match[str], published: date) -> bool:
    if match.group("year_only"):
        return int(match.group("year_only")) < published.year
    month = MONTHS[match.group("month").lower()]
    # A month named without a year, later in the year than the article, is last year's.
    year = int(match.group("year")) if match.group("year") else published.year - (month > published.month)
    if match.group("day"):
        try:
            return (
                date(year, month, int(match.group("day"))) < published
                and (published - date(year, month, int(match.group("day")))).days > 7
            )
        except ValueError:
            return False
    return (year, month) < (published.year, published.month)


def _cancel_reason(
    sentence: str,
    clause: tuple[int, int],
    mention: tuple[int, int],
    cue: _Cue,
    published: date,
    lexicon: Lexicon,
    descriptions: list[tuple[int, int]],
) -> str | None:
    """Why the cue does not assert a current status here, or None if it does."""
    clause_text = sentence[clause[0] : clause[1]]
    # The words before the cue, and before the mention when the cue follows
    # it: "could resume flights", "flights could soon resume". A noun cue has
    # no predicate of its own, so the whole clause's predicate counts.
    window_start = max(clause[0], min(cue.start, mention[0]) - 60)
    # …nor does it reach back past ", and" or ", but" into a coordinated clause.
    for join in re.finditer(r",\s+(?:and|but)\s", sentence[window_start : min(cue.start, mention[0])]):
        window_start = max(window_start, window_start + join.end())
    window = clause_text if cue.rule.form == "noun" else sentence[window_start : cue.start]
    if lexicon.negation.search(window) or re.search(r"n't\b|\bcannot\b", window, re.IGNORECASE):
        return "negated"
    if lexicon.speculation.search(window):
        return "speculation"
    conditional = lexicon.conditional.search(window)
    before_conditional = sentence[: window_start + conditional.start()] if conditional else ""
    if conditional and not (
        lexicon.reporting.search(before_conditional) or lexicon.commitment_verbs.search(before_conditional)
    ):
        return "speculation"
    subject = sentence[clause[0] : min(cue.start, mention[0])]
    if cue.rule.status in _ACTIONS and lexicon.non_state.search(subject):
        # Industry bodies, analysts or editorial writers calling for something
        # is advocacy, not one side's position.
        return "not-a-party"
    reported = lexicon.reporting.search(sentence[: cue.start])
    tail = sentence[clause[0] : cue.start]
    if _FORWARD.match(cue.text):
        # "will be held during June": a plan, whatever dates it names; but
        # "they had agreed that it would resume" restates an old plan.
        return "retrospective" if lexicon.past_perfect.search(tail) and not reported else None
    anchors = [m for m in lexicon.past_anchors.finditer(sentence, clause[0], clause[1])] + [
        m for m in _DATED_ANCHOR.finditer(sentence, clause[0], clause[1]) if _anchor_is_past(m, published)
    ]
    anchored_past = any(
        _anchors_cue(m, cue, sentence) and not _inside((m.start(), m.end()), descriptions) for m in anchors
    )
    if lexicon.past_perfect.search(tail) and (anchored_past or not reported):
        return "retrospective"
    present = _PRESENT_AUX.search(tail) or _PRESENT_START.match(cue.text)
    # A past event dated before the article: the clause's predicate is in the
    # past tense ("were suspended in early 2020"), or a noun cue names the
    # event ("the resumption of the yatra in June").
    past_event = _PAST_VERB.match(cue.text) or _PAST_WORD.search(clause_text) or cue.rule.form == "noun"
    if anchored_past and not present and past_event:
        return "retrospective"
    return None


def _dated_before(text: str, published: date) -> bool:
    entry = _DATED_ENTRY.match(text)
    if not entry:
        return False
    day = entry.group("d1") or entry.group("d2")
    month = MONTHS[(entry.group("m1") or entry.group("m2")).lower()]
    try:
        return (published - date(int(entry.group("y")), month, int(day))).days > 7
    except ValueError:
        return False


def _anchors_cue(anchor: re.Match[str], cue: _Cue, sentence: str) -> bool:
    """Whether a date dates the cue's event rather than another event in the clause."""
    if anchor.start() < cue.start:
        # "In June 2020, India banned…"; but not "In April they discussed X and
        # on Thursday agreed…": another past verb between takes the date.
        between = sentence[anchor.end() : cue.start]
        if cue.rule.form == "noun":
            # "The January visit produced an agreement…": the verb before a
            # noun cue is its clause's predicate, and the date dates it.
            return True
        if "," not in sentence[: anchor.start()] and "," in between:
            # A leading adverbial ("In the months after the clash, …") dates
            # the whole clause.
            return True
        return bool(re.search(r"\bwhen\b", between)) or not _PAST_WORD.search(between)
    gap = sentence[cue.end : anchor.start()]
    if re.search(r"\b(?:that|which|who)\b", gap):
        # "…the resolution of issues that had arisen in 2020": a relative clause's date.
        return False
    if _FINITE_PAST.search(gap) or re.search(r"\bwhen\b", gap):
        # "The agreement … was announced on October 21": the clause's own verb.
        return True
    # "agreed to resume flights suspended in 2020": the date belongs to
    # "suspended", the participle right before it.
    last_word = gap.split()[-1] if gap.split() else ""
    return len(gap) <= 80 and not _PAST_WORD.fullmatch(last_word)


def attribution(sentence: str) -> str:
    """Who a sentence says its claim comes from, or "" when it names nobody."""
    for pattern in _ATTRIBUTION:
        found = pattern.search(sentence)
        if found:
            who = re.sub(r"\s+(?:on|in|at|late|earlier)\b.*$", "", found.group("who")).strip(" \"'”’")
            # A subject is a few words; a longer run is a clause, not a speaker.
            if who and len(who.split()) <= 8 and who.lower() not in {"it", "he", "she", "they", "we", "i"}:
                return who
    return ""


def _actor(subject: str, cue: _Cue, sentence: str, catalogue: Catalogue) -> str:
    if _BOTH_SUBJECT.search(subject):
        return "both"
    sides = []
    for side in (catalogue.side_a, catalogue.side_b):
        for m in side.pattern.finditer(subject):
            sides.append((m.end(), side.actor))
    if len({actor for _, actor in sides}) == 2:
        # "Misri appreciated the Chinese side's cooperation": both took part.
        return "both"
    if sides:
        return max(sides)[1]
    if cue.rule.status in ("proposed", "suspended"):
        # Who calls for or restricts something is usually named first.
        named = [
            (hit.start(), side.actor)
            for side in (catalogue.side_a, catalogue.side_b)
            if (hit := side.pattern.search(sentence))
        ]
        if named:
            return min(named)[1]
    return "both"


def extract_statements(
    text: str,
    published: date,
    catalogue: Catalogue,
    lexicon: Lexicon,
    title: str = "",
    rejections: list[Rejection] | None = None,
    nlp_model: str = grammar.DEFAULT_NLP_MODEL,
    per_sentence: bool = False,
) -> list[ExtractedStatement]:
    """What the text asserts about the current status of catalogued commitments.

    An article makes at most one statement per commitment: of the sentences
    that state its status, the one that states it most clearly (see `_clearest`);
    `per_sentence` keeps one per commitment and sentence instead (for reading
    single sentences). `rejections`, when given, collects every mention that
    was not taken and why, the sentences passed over included.
    """
    # Most news names no tracked commitment: skip sentence splitting for it.
    if not any(c.pattern.search(text) for c in catalogue.commitments):
        return []
    sentences = split_sentences(text)
    paragraphs: dict[int, str] = {}
    for s in sentences:
        paragraphs[s.paragraph] = (paragraphs.get(s.paragraph, "") + " " + s.text).strip()
    article_text = f"{title}\n{text}"
    statements: list[ExtractedStatement] = []

    def reject(commitment: Commitment, sentence: Sentence, reason: str) -> None:
        if rejections is not None:
            rejections.append(Rejection(commitment.id, sentence.index, reason, sentence.text))

    named = {c.id for c in catalogue.commitments if c.pattern.search(title)}
    questions = {s.paragraph for s in sentences if _QUESTION.match(s.text)} | {
        s.paragraph
        for s in sentences
        if _SPEAKER.match(s.text)
        and any(o.paragraph == s.paragraph and o.text.rstrip("\"'”’ ").endswith("?") for o in sentences)
    }
    candidates: list[tuple[Sentence, list[tuple[Commitment, tuple[int, int]]]]] = []
    for sentence in sentences:
        if sentence.paragraph in questions or sentence.text.rstrip("\"'”’ ").endswith("?"):
            # A reporter's question asserts nothing on either side's behalf.
            continue
        if _dated_before(sentence.text, published):
            # A timeline entry about an earlier day restates history, in whatever tense.
            continue
        full = [
            (commitment, (m.start(), m.end()))
            for commitment in catalogue.commitments
            for m in commitment.pattern.finditer(sentence.text)
        ]
        # A short name ("the yatra") counts once the article has named the
        # commitment in full, in its title or an earlier sentence.
        short = [
            (commitment, (m.start(), m.end()))
            for commitment in catalogue.commitments
            if commitment.alias_pattern and commitment.id in named
            for m in commitment.alias_pattern.finditer(sentence.text)
            if not any(c.id == commitment.id and a < m.end() and m.start() < b for c, (a, b) in full)
        ]
        both_sides = len(_sides_in(sentence.text, catalogue)) == 2
        paired = [
            (commitment, (m.start(), m.end()))
            for commitment in catalogue.commitments
            if commitment.paired_pattern and both_sides
            for m in commitment.paired_pattern.finditer(sentence.text)
            if not any(c.id == commitment.id and a < m.end() and m.start() < b for c, (a, b) in full + short)
        ]
        named.update(c.id for c, _ in full)
        if full or short or paired:
            candidates.append((sentence, full + short + paired))
    # Only sentences that name a commitment are parsed.
    docs = grammar.parse([sentence.text for sentence, _ in candidates], nlp_model)
    for (sentence, mentions), doc in zip(candidates, docs, strict=True):
        clauses = _clauses(sentence.text)
        descriptions = [(m.start(), m.end()) for m in _DESCRIPTION.finditer(sentence.text)]
        cues = _find_cues(sentence.text, lexicon)
        best: dict[str, ExtractedStatement] = {}
        for commitment, mention in mentions:
            clause = next(c for c in clauses if c[0] <= mention[0] < c[1])
            scope = _relationship_scope(
                sentence.text[clause[0] : clause[1]],
                sentence,
                paragraphs[sentence.paragraph],
                article_text,
                commitment,
                catalogue,
            )
            if scope is None:
                reject(commitment, sentence, "not-this-relationship")
                continue
            reading = _tree_cue(doc, mention, cues, descriptions)
            if reading.veto:
                reject(commitment, sentence, f"{reading.veto} [{reading.path}]")
                continue
            cue = reading.cue or (None if os.environ.get('XFB') else _choose_cue(sentence.text, mention, cues, clause, descriptions))
            if cue is None:
                reject(commitment, sentence, f"no-cue [{reading.path}]")
                continue
            if reading.cue is not None and _inside((cue.start, cue.end), descriptions) and not _inside(
                mention, descriptions
            ):
                # The tree reached the cue through the mention's own description.
                clause = (min(clause[0], cue.start), max(clause[1], cue.end))
            reason = _cancel_reason(sentence.text, clause, mention, cue, published, lexicon, descriptions)
            if reason == "retrospective" and reading.features and _still_holds(reading.features, cue):
                reason = None
            source = attribution(sentence.text)
            if not reason and cue.rule.status in _ACTIONS and lexicon.non_state.search(source):
                # "…flights will resume soon, analysts said": commentary, not a party's word.
                reason = "not-a-party"
            how = f"{reading.path} ({reading.features.describe()})" if reading.features else "nearest cue"
            if reason:
                reject(commitment, sentence, f"{reason}:{cue.rule.name} [{how}]")
                continue
            if cue.rule.status in NEGATIVE_STATUSES and commitment.restricting_side:
                actor = commitment.restricting_side
            else:
                actor = _actor(sentence.text[clause[0] : cue.start], cue, sentence.text, catalogue)
            confidence = round(cue.rule.weight * scope, 2)
            statement = ExtractedStatement(
                commitment_id=commitment.id,
                status=cue.rule.status,
                actor=actor,
                evidence=sentence.text,
                sentence_index=sentence.index,
                confidence=confidence,
                rule=cue.rule.name,
                attribution=source,
                path=how,
            )
            current = best.get(commitment.id)
            if current is None or statement.confidence > current.confidence:
                best[commitment.id] = statement
        statements.extend(best.values())
    if per_sentence:
        return statements
    chosen = _clearest(statements)
    if rejections is not None:
        for statement in statements:
            if statement not in chosen:
                rejections.append(
                    Rejection(
                        statement.commitment_id,
                        statement.sentence_index,
                        f"not-the-clearest:{statement.rule} (read {statement.status})",
                        statement.evidence,
                    )
                )
    return chosen


def _still_holds(features: grammar.PredicateFeatures, cue: _Cue) -> bool:
    """A state told in the present ("has been suspended since 2020") is current, whatever it dates."""
    return features.aspect in ("perfect", "progressive") and features.tense == "present" or (
        features.date_preposition == "since" and features.aspect != "past-perfect"
    )


def _clearest(statements: list[ExtractedStatement]) -> list[ExtractedStatement]:
    """One statement per commitment: the sentence that states its current status most clearly."""
    by_commitment: dict[str, list[ExtractedStatement]] = {}
    for statement in statements:
        by_commitment.setdefault(statement.commitment_id, []).append(statement)
    mode = os.environ.get("XSEL", "rung")
    chosen: list[ExtractedStatement] = []
    for items in by_commitment.values():

        def clarity(s: ExtractedStatement) -> tuple[float, ...]:
            if mode == "conf":
                penalty = 0.15 if s.status == "suspended" and any(i.status not in NEGATIVE_STATUSES for i in items) else 0.0
                return (round(s.confidence - penalty - 0.01 * s.sentence_index, 3), -s.sentence_index)
            if s.status == "stalled" and mode == "rung-stall":
                group = 3
            elif s.status in NEGATIVE_STATUSES:
                group = 1
            else:
                group = 2
            rung = POSITIVE_LADDER.index(s.status) if s.status in POSITIVE_LADDER else 0
            return (group, rung, s.confidence, -s.sentence_index)

        chosen.append(max(items, key=clarity))
    return sorted(chosen, key=lambda s: (s.sentence_index, s.commitment_id))
