"""The reader: an article's text in, its statements about tracked commitments out.

Pure: the catalogue names the commitments and the sides, the lexicon the
cues and modifiers. Stages, each typed: sentences (`text`), mentions, the
parse of the sentences that name a commitment (`grammar`), the governing cue
(`cues`), the reasons that cancel it (`reasons`), the relationship's scope and
the actor, and last the one statement per commitment an article makes.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from tracker.catalogue import NEGATIVE_STATUSES, POSITIVE_LADDER, Catalogue, Commitment, CommitmentKind, Lexicon
from tracker.extraction import grammar

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
from tracker.extraction.cues import CueMatch, find_cues, held_at, nearest_cue, only_a_place, tree_cue
from tracker.extraction.dates import dated_before
from tracker.extraction.reasons import Reading, Reason, cancel_reason, still_not_done
from tracker.extraction.text import (
    BULLET,
    DESCRIPTION,
    QUESTION,
    SPEAKER,
    Sentence,
    clauses_of,
    inside,
    split_sentences,
)
from tracker.model import ArticleText, ExtractedStatement, Rejection

_BOTH_SUBJECT = re.compile(
    r"\b(?:both sides|the two sides|both countries|the two countries|both nations|the two nations|"
    r"the two neighbours|the two neighbors|both leaders|the two leaders|both ministers|both officials|"
    r"both parties|the sides|they|jointly|the two|both)\b",
    re.IGNORECASE,
)
# "…, the Ministry of External Affairs said." / "Lin Jian said …" / "according to Xinhua".
_SAYS = r"(?:said|says|told reporters|told|stated|announced|confirmed|noted|added|informed|declared)"
_ATTRIBUTION = (
    re.compile(r"\baccording to (?P<who>[^,.;]{3,80}?)(?=[,.;]|$)", re.IGNORECASE),
    re.compile(rf"(?:^|,\s*)(?P<who>[^,;]{{2,80}}?)\s+{_SAYS}\b"),
    re.compile(rf",\s*{_SAYS}\s+(?P<who>[^,;]{{3,80}}?)[.!]?[\"'”’]*\s*$"),
)

# "It was suspended in 2020 and has not resumed since": "it" in the sentence after one that
# named a single commitment is that commitment. Not the dummy subject ("it is likely that …",
# "it was agreed to …"), a speaker ("the ministry said it would …", "it said"), nor "it" in
# an embedded question ("why it closed"), which asserts nothing.
_IT = re.compile(r"\b[Ii]t\b")
_IT_NOT_THE_MATTER = re.compile(
    "|".join(
        (
            r"\bit (?:is|was|has been|had been|will be|would be|seems|seemed|appears|appeared|remains|remained)"
            r"(?: \w+){0,3}? (?:that|whether|if|when|to|for)\b",
            rf"\b(?:{_SAYS}|hopes?|hoped|wants?|wanted|believes?|believed)(?: that)? it\b",
            rf"\bit (?:{_SAYS}|also|hopes?|hoped|wants?|wanted|believes?|believed)\b",
            r"\bit (?:would|could|can|should|must|may|might)\b",
            r"\b(?:why|how|whether|when|where|what|if) it\b",
        )
    ),
    re.IGNORECASE,
)


def _referred(sentence: str, previous: dict[str, Commitment]) -> list[tuple[Commitment, tuple[int, int]]]:
    """The commitment each "it" in a sentence that names none stands for, with the pronoun's span.

    Only right after a sentence that named exactly one (`previous`, by id), and only where
    no "it" is anything else (see `_IT_NOT_THE_MATTER`).
    """
    if len(previous) != 1 or _IT_NOT_THE_MATTER.search(sentence):
        return []
    (commitment,) = previous.values()
    return [(commitment, (m.start(), m.end())) for m in _IT.finditer(sentence)]


def _sides_in(text: str, catalogue: Catalogue) -> set[str]:
    found = set()
    for side in (catalogue.side_a, catalogue.side_b):
        if side.pattern.search(text):
            found.add(side.actor)
    return found


# Where the people met end: "met his counterpart X on the sidelines", "talks between A and B in C".
_MET_WHOM_ENDS = re.compile(
    r"[,;.()]|\s(?:to|on|in|at|for|about|over|during|after|before|amid|yesterday|today|last|this|earlier)\s"
)


def _encounter(text: str, catalogue: Catalogue, lexicon: Lexicon) -> tuple[int, int] | None:
    """Where one side's people meet the other's: the words met name a side other than the
    one the meeting's subject (just before it) or the other words met name. A leader meeting
    a leader of their own country, with the other country named later, is not it."""
    for m in lexicon.encounter.finditer(text):
        met = _MET_WHOM_ENDS.split(text[m.end() : m.end() + 120], maxsplit=1)[0]
        whom = _sides_in(met, catalogue)
        who = _sides_in(text[max(0, m.start() - 60) : m.start()], catalogue) | whom
        if any(a != b for a in who for b in whom):
            return m.span()
    return None


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


# A halt, as against a lack of progress: "on hold", "in limbo".
_HALTED = re.compile(r"\b(?:on hold|in limbo|shelved|on ice)\b", re.IGNORECASE)
# Papers issued or granted *to* the travellers a commitment is about ("issued visas to 300
# pilgrims for the festival"): the journey is being prepared, not made.
_ISSUED = re.compile(r"\b(?:issu|grant)(?:ed|es|ing)\b", re.IGNORECASE)
_TO_RECIPIENT = re.compile(r"<pobj- (?:to|for) <(?:dative|prep)- \w+$")

# A start told in one verb: "has begun", "commenced".
_BEGUN = re.compile(
    r"(?:(?:has|have|had|was|were) )?(?:already )?"
    r"(?:began|begun|begin|begins|started|starts|commenced|commences|initiated)",
    re.IGNORECASE,
)


def _a_process(doc: Doc, mention: tuple[int, int], lexicon: Lexicon, cue: CueMatch) -> bool:
    """Whether what began is a process: the mention names one or is what names one ("the
    disengagement process"), or the begun verb's subject does ("Depsang, where disengagement
    has begun": the mention is the place, the process the verb's subject)."""
    head = grammar.span_head(grammar.tokens_in(doc, *mention))
    verb = grammar.span_head(grammar.tokens_in(doc, cue.start, cue.end))
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")] if verb is not None else []
    return any(_names_a_process(token, lexicon) for token in ([head] if head is not None else []) + subjects)


def _names_a_process(head: Token, lexicon: Lexicon) -> bool:
    """Whether a noun is a process word, or modifies or completes one."""
    names = {head.lemma_.lower(), head.lower_}
    if head.dep_ in ("compound", "amod", "nmod") or (head.dep_ == "pobj" and head.head.lower_ == "of"):
        # "the disengagement process", "the process of disengagement"
        owner = head.head if head.dep_ != "pobj" else head.head.head
        names |= {owner.lemma_.lower(), owner.lower_}
    return bool(names & lexicon.words.processes)


# The two sides meeting: a call made there is put to the other side.
_TALKS = re.compile(
    r"\b(?:talks|meeting|meetings|met|meet|summit|dialogue|phone call|telephone|call with|consultations|"
    r"held discussions|conversation with)\b",
    re.IGNORECASE,
)
_IN_TALKS = re.compile(
    r"\b(?:during|at|in|on the sidelines of) (?:the |their |a |this |his |her |today's |the latest )?"
    r"(?:[\w-]+ ){0,3}(?:talks|meeting|summit|dialogue|call|discussions|consultations|conversation)\b",
    re.IGNORECASE,
)


def in_talks(sentence: str, article_lead: str, features: grammar.PredicateFeatures | None) -> bool:
    """Whether a call in this sentence was made to the other side in talks, not in public.

    Said in the sentence ("urged … during the meeting"), or told as one act
    (past simple) in an article that reports the two sides meeting; a standing
    call ("has repeatedly called for") is public whatever the article reports.
    """
    if _IN_TALKS.search(sentence):
        return True
    one_act = features is not None and features.tense == "past" and features.aspect == "simple"
    return one_act and bool(_TALKS.search(article_lead))


def attribution(sentence: str) -> str:
    """Who a sentence says its claim comes from, or "" when it names nobody."""
    for pattern in _ATTRIBUTION:
        found = pattern.search(sentence)
        if found:
            who = re.sub(r"\s+(?:on|in|at|late|earlier)\b.*$", "", found.group("who")).strip(" \"'”’")
            # A dateline ("BEIJING: …") is where, not who; auxiliaries belong to the verb.
            who = re.sub(r"^[A-Z][A-Z .,]+[:–—-]\s*", "", who)
            who = re.sub(r"\s+(?:has|have|had|is|was|were|are|will|would|also|today|yesterday)$", "", who).strip()
            # A subject is a few words; a longer run is a clause, not a speaker.
            if who and len(who.split()) <= 8 and who.lower() not in {"it", "he", "she", "they", "we", "i"}:
                return who
    return ""


# People of a side are not its government: "Ruritanian travellers" do not restrict.
_PEOPLE = re.compile(
    r"\s+(?:travell?ers|tourists|nationals|citizens|students|pilgrims|visitors|passengers|applicants|"
    r"businesspeople|business people|professionals|workers|importers|exporters|firms|companies|"
    r"manufacturers|makers|traders|carmakers|automakers|employees?|businessm[ae]n|m[ae]n|wom[ae]n|crews?)\b",
    re.IGNORECASE,
)


_AFTER_PREPOSITION = re.compile(
    r"\b(?:to|from|in|into|with|for|of|against|on|at|by|over|towards?)\s+(?:the\s+)?$", re.I
)


def _subject_side(subject: str, commitment: Commitment, catalogue: Catalogue) -> str | None:
    """The one side a subject names as the doer, or None.

    Not its people ("Ruritanian nationals"), not a side inside the commitment's own name
    ("Ruritanian apps"), not a side after a preposition ("shipments to Ruritania").
    """
    # The words after the last comma: "Even as one side complains, the other is yet to…".
    subject = subject.rsplit(",", 1)[-1]
    if _BOTH_SUBJECT.search(subject):
        return None
    named_things = [m.span() for m in commitment.pattern.finditer(subject)]
    named = {
        side.actor
        for side in (catalogue.side_a, catalogue.side_b)
        for m in side.pattern.finditer(subject)
        if not _PEOPLE.match(subject, m.end())
        and not _AFTER_PREPOSITION.search(subject, 0, m.start())
        and not any(start <= m.start() < end for start, end in named_things)
    }
    return named.pop() if len(named) == 1 else None


# A subject that reports ("an airline said …") names a source, not who acts.
_REPORTED = re.compile(r"\b(?:say|says|said|told|tells|according|report(?:s|ed)?|expects?|expected)\b", re.IGNORECASE)


def _actor(subject: str, cue: CueMatch, sentence: str, catalogue: Catalogue) -> str:
    if _BOTH_SUBJECT.search(subject):
        return "both"
    operator = catalogue.operators.search(subject) if catalogue.operators is not None else None
    if operator is not None and not _REPORTED.search(subject, operator.end()):
        # An airline starting or scheduling flights acts for neither government (the
        # conventions); one that says flights remain suspended is a source, not the doer.
        return "other"
    sides = []
    for side in (catalogue.side_a, catalogue.side_b):
        for m in side.pattern.finditer(subject):
            sides.append((m.end(), side.actor))
    if len({actor for _, actor in sides}) == 2:
        # "the envoy appreciated the other side's cooperation": both took part.
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
    that state its status, the one that states it most clearly (see `clearest`);
    `per_sentence` keeps one per commitment and sentence instead (for reading
    single sentences). `rejections`, when given, collects every mention that
    was not taken and why, the sentences passed over included.
    """
    reading = _read(text, published, catalogue, lexicon, title, rejections, per_sentence)
    try:
        wanted = next(reading)
        reading.send(grammar.parse(wanted, nlp_model))
    except StopIteration as done:
        return done.value
    raise AssertionError("the reader asks for one parse")  # pragma: no cover


def extract_many(
    articles: Sequence[ArticleText], catalogue: Catalogue, lexicon: Lexicon, nlp_model: str = grammar.DEFAULT_NLP_MODEL
) -> list[list[ExtractedStatement]]:
    """`extract_statements` of each article, their candidate sentences parsed in one batch.

    The parser is fastest fed many sentences at once: a day's articles are
    read together rather than one `nlp.pipe` call each.
    """
    results: list[list[ExtractedStatement] | None] = [None] * len(articles)
    waiting: list[tuple[int, Generator[list[str], list[Doc], list[ExtractedStatement]], list[str]]] = []
    for i, article in enumerate(articles):
        reading = _read(article.text, article.published, catalogue, lexicon, article.title, None, False)
        try:
            waiting.append((i, reading, next(reading)))
        except StopIteration as done:
            results[i] = done.value
    docs = iter(grammar.parse([text for _, _, wanted in waiting for text in wanted], nlp_model))
    for i, reading, wanted in waiting:
        try:
            reading.send([next(docs) for _ in wanted])
        except StopIteration as done:
            results[i] = done.value
    return [r if r is not None else [] for r in results]


def _narrowest_owner(full: list[tuple[Commitment, tuple[int, int]]]) -> list[tuple[Commitment, tuple[int, int]]]:
    """Full mentions, less those inside a longer mention of another commitment.

    The longer name is the more specific one: "journalist visas" are the media
    commitment's, not the visa regime's, though "visas" alone names the latter.
    """
    return [
        (commitment, (start, end))
        for commitment, (start, end) in full
        if not any(
            other.id != commitment.id and a <= start and end <= b and (a, b) != (start, end) for other, (a, b) in full
        )
    ]


def _one_owner(
    short: list[tuple[Commitment, tuple[int, int]]],
    full: list[tuple[Commitment, tuple[int, int]]],
    last_named: dict[str, tuple[int, int]],
) -> list[tuple[Commitment, tuple[int, int]]]:
    """A short name several commitments share ("the duties", "the probe") names one of them: the
    one the sentence names in full, or else the one the article named last. Inside another
    commitment's full name ("the duties on wine") it names nothing of its own."""
    short = [
        (commitment, (start, end))
        for commitment, (start, end) in short
        if not any(a < end and start < b for _, (a, b) in full)
    ]
    by_span: dict[tuple[int, int], list[Commitment]] = {}
    for commitment, span in short:
        by_span.setdefault(span, []).append(commitment)
    in_sentence = {c.id for c, _ in full}
    kept = []
    for commitment, span in short:
        sharing = by_span[span]
        if len(sharing) > 1:
            here = [c for c in sharing if c.id in in_sentence]
            if len(here) > 1:
                kept.append((commitment, span))  # several named here: the tree tells them apart
                continue
            owner = here[0] if here else max(sharing, key=lambda c: last_named.get(c.id, (-2, 0)))
            if owner.id != commitment.id:
                continue
        kept.append((commitment, span))
    return kept


def _read(
    text: str,
    published: date,
    catalogue: Catalogue,
    lexicon: Lexicon,
    title: str,
    rejections: list[Rejection] | None,
    per_sentence: bool,
) -> Generator[list[str], list[Doc], list[ExtractedStatement]]:
    """The reader, as a coroutine: it yields the sentences it needs parsed and is sent their parses."""
    # Most news names no tracked commitment: skip sentence splitting for it.
    if not any(c.pattern.search(text) for c in catalogue.commitments) and not (
        any(c.encounters for c in catalogue.commitments) and lexicon.encounter.search(text)
    ):
        return []
    sentences = split_sentences(text)
    paragraphs: dict[int, str] = {}
    for s in sentences:
        paragraphs[s.paragraph] = (paragraphs.get(s.paragraph, "") + " " + s.text).strip()
    article_text = f"{title}\n{text}"
    # The title and first paragraph say whether the article reports the two sides meeting.
    article_lead = " ".join([title, *(s.text for s in sentences if s.paragraph == sentences[0].paragraph)][:4])
    statements: list[ExtractedStatement] = []
    sides = tuple(p for side in catalogue.sides for p in (side.pattern, side.speakers) if p is not None)

    def reject(commitment: Commitment, sentence: Sentence, reason: Reason, rule: str = "", path: str = "") -> None:
        if rejections is not None:
            rejections.append(Rejection(commitment.id, sentence.index, reason, sentence.text, rule, path))

    # Where each commitment was last named in full: sentence and offset (the title comes first).
    # A commitment in it has been named, so its short names count from then on.
    last_named = {c.id: (-1, 0) for c in catalogue.commitments if c.pattern.search(title)}
    questions = _question_turns(sentences)
    # The sentence before and the commitments it named in full, by id: an "it" may stand for one.
    named_before: tuple[int, dict[str, Commitment]] = (-2, {})
    candidates: list[tuple[Sentence, list[tuple[Commitment, tuple[int, int]]]]] = []
    # Mentions that are the two sides' people meeting (sentence, span): a meeting of both.
    encounters: set[tuple[int, tuple[int, int]]] = set()
    for sentence in sentences:
        skip: Reason | None = None
        if sentence.index in questions or _asks(sentence.text):
            # A reporter's question asserts nothing on either side's behalf.
            skip = Reason.QUESTION
        elif dated_before(sentence.text, published):
            # A timeline entry about an earlier day restates history, in whatever tense.
            skip = Reason.TIMELINE_ENTRY
        full = _narrowest_owner(
            [
                (commitment, (m.start(), m.end()))
                for commitment in catalogue.commitments
                for m in commitment.pattern.finditer(sentence.text)
            ]
        )
        # A short name ("the yatra") counts once the article has named the
        # commitment in full, in its title or an earlier sentence.
        # So does one listed beside another of the relationship's commitments named in
        # full ("the talks covered trade, pilgrimages and river data sharing").
        short = [
            (commitment, (m.start(), m.end()))
            for commitment in catalogue.commitments
            if commitment.alias_pattern
            for m in commitment.alias_pattern.finditer(sentence.text)
            if (commitment.id in last_named or _listed_beside(sentence.text, (m.start(), m.end()), commitment, full))
            and not any(c.id == commitment.id and a < m.end() and m.start() < b for c, (a, b) in full)
        ]
        both_sides = len(_sides_in(sentence.text, catalogue)) == 2
        paired = [
            (commitment, (m.start(), m.end()))
            for commitment in catalogue.commitments
            if commitment.paired_pattern and both_sides
            for m in commitment.paired_pattern.finditer(sentence.text)
            if not any(c.id == commitment.id and a < m.end() and m.start() < b for c, (a, b) in full + short)
        ]
        short = _one_owner(short, full, last_named)
        # A meeting of the two sides' people names a meeting of leaders nobody named otherwise.
        met = _encounter(sentence.text, catalogue, lexicon) if both_sides else None
        encounter = [
            (commitment, met)
            for commitment in catalogue.commitments
            if met and commitment.encounters and not any(c.id == commitment.id for c, _ in full + short + paired)
        ]
        mentions = full + short + paired + encounter
        encounters.update((sentence.index, span) for _, span in encounter)
        if not mentions and named_before[0] == sentence.index - 1:
            mentions = _referred(sentence.text, named_before[1])
        named_before = (sentence.index, {c.id: c for c, _ in full})
        for commitment, (_, end) in full:
            last_named[commitment.id] = max(last_named.get(commitment.id, (-1, 0)), (sentence.index, end))
        if skip is not None:
            for commitment, _ in mentions:
                reject(commitment, sentence, skip)
        elif mentions:
            candidates.append((sentence, mentions))
    # Only sentences that name a commitment are parsed.
    docs = yield [sentence.text for sentence, _ in candidates]
    for (sentence, mentions), doc in zip(candidates, docs, strict=True):
        clauses = clauses_of(sentence.text)
        descriptions = [(m.start(), m.end()) for m in DESCRIPTION.finditer(sentence.text)]
        cues_of_kind: dict[CommitmentKind, list[CueMatch]] = {}
        for commitment, _ in mentions:
            if commitment.kind not in cues_of_kind:
                cues_of_kind[commitment.kind] = find_cues(sentence.text, lexicon, commitment.kind)
        readings = [
            tree_cue(doc, mention, cues_of_kind[c.kind], descriptions, lexicon.words) for c, mention in mentions
        ]
        third_country = _third_country_speaks(doc, catalogue)
        # The cues the parse gave each mention. Such a cue is not the nearest cue of another
        # commitment the parse gives none ("simplified visa procedures" beside "an updated air
        # services agreement"), nor is a cue beyond such a mention.
        read_by_tree = [
            (commitment.id, span, (reading.cue.start, reading.cue.end))
            for (commitment, span), reading in zip(mentions, readings, strict=True)
            if reading.cue is not None
        ]
        best: dict[str, ExtractedStatement] = {}
        for (commitment, mention), reading in zip(mentions, readings, strict=True):
            cues = cues_of_kind[commitment.kind]
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
                reject(commitment, sentence, Reason.OTHER_RELATIONSHIP)
                continue
            if commitment.kind is CommitmentKind.MEETING and (held := held_at(doc, mention, lexicon.words)) is not None:
                # Something was done at the meeting: the meeting was held.
                statement = ExtractedStatement(
                    commitment_id=commitment.id,
                    status="implemented",
                    actor="both",
                    evidence=sentence.text,
                    sentence_index=sentence.index,
                    confidence=round(0.8 * scope, 2),
                    rule="meeting-held-at",
                    attribution=attribution(sentence.text),
                    path=f"{held.path} ({held.features.describe()})" if held.features else held.path,
                )
                current = best.get(commitment.id)
                if current is None or statement.confidence > current.confidence:
                    best[commitment.id] = statement
                continue
            if reading.veto is not None:
                reject(commitment, sentence, reading.veto, path=reading.path)
                continue
            if any(other.id != commitment.id for other, _ in mentions) and only_a_place(doc, mention):
                # "trading points along the border", "a pass near the LAC": the mention is where
                # another commitment's matter lies, not a matter of its own.
                reject(commitment, sentence, Reason.IN_PASSING, path=reading.path)
                continue
            read_elsewhere = [(span, own) for cid, span, own in read_by_tree if cid != commitment.id]
            # Commitments of another kind read the same words through their own cues: any overlap claims.
            unclaimed = [c for c in cues if not any(a < c.end and c.start < b for _, (a, b) in read_elsewhere)]
            if reading.cue is None and _IT.fullmatch(sentence.text[mention[0] : mention[1]]):
                # A pronoun is read only through the parse: the nearest cue may be anyone's.
                reject(commitment, sentence, Reason.NO_CUE, path=reading.path)
                continue
            cue = reading.cue or nearest_cue(sentence.text, mention, unclaimed, clause, descriptions, read_elsewhere)
            if cue is None:
                reject(commitment, sentence, Reason.NO_CUE, path=reading.path)
                continue
            if (
                reading.cue is not None
                and inside((cue.start, cue.end), descriptions)
                and not inside(mention, descriptions)
            ):
                # The tree reached the cue through the mention's own description.
                clause = (min(clause[0], cue.start), max(clause[1], cue.end))
            source = attribution(sentence.text)
            context = Reading(
                sentence.text, clause, mention, cue, published, lexicon, descriptions, reading.features, source, sides
            )
            reason = cancel_reason(context)
            how = f"{reading.path} ({reading.features.describe()})" if reading.features else "nearest cue"
            status, rule_name = cue.rule.status, cue.rule.name
            if reason is Reason.NEGATED and still_not_done(cue, reading.features):
                # "Neither border trade nor exchanges have resumed": not resumed is still suspended.
                status, rule_name, reason = "suspended", f"not-{cue.rule.name}", None
            mention_text = sentence.text[mention[0] : mention[1]]
            passing, aims = commitment.passing_pattern, commitment.aims_pattern
            if not reason and (
                (status == "proposed" and passing and passing.fullmatch(mention_text))
                or (status in ("proposed", "under_discussion") and aims and aims.fullmatch(mention_text))
            ):
                reason = Reason.IN_PASSING
            raised = commitment.raised_pattern
            if (
                not reason
                and status not in ("proposed", "under_discussion")
                and raised
                and raised.fullmatch(sentence.text[mention[0] : mention[1]])
            ):
                reason = Reason.NOT_RAISED
            if reason:
                reject(commitment, sentence, reason, cue.rule.name, how)
                continue
            if (
                status == "stalled"
                and reading.features is not None
                and reading.features.date_preposition == "since"
                and _HALTED.search(cue.text)
            ):
                # "has been on hold since the 2020 outbreak": a long-standing halt restated, not a stall reported
                # now ("no progress since the August pledge" stays a stall).
                status, rule_name = "suspended", f"{rule_name}-since"
            if status == "implemented" and context.day_ahead:
                # A completion promised for a named day is a calendar announced, not yet done.
                status, rule_name = "in_progress", f"{rule_name}-dated"
            if status == "implemented" and _BEGUN.fullmatch(cue.text) and _a_process(doc, mention, lexicon, cue):
                # "Disengagement has begun": a process started is under way, not done.
                status, rule_name = "in_progress", f"{rule_name}-begun"
            if status == "implemented" and commitment.restricting_side and lexicon.partial.search(sentence.text):
                # Some firms, regions or consignments let through while the rest stays barred.
                status, rule_name = "in_progress", f"{rule_name}-partial"
            if status == "implemented" and _ISSUED.search(cue.text) and _TO_RECIPIENT.search(reading.path):
                status, rule_name = "in_progress", f"{rule_name}-to-travellers"
            elif cue.rule.name == "documents-issued":
                reject(commitment, sentence, Reason.TALLY, cue.rule.name, how)
                continue
            if status == "proposed" and in_talks(sentence.text, article_lead, reading.features):
                # A call put to the other side in talks is the matter raised there (the reading conventions).
                status, rule_name = "under_discussion", f"{rule_name}-in-talks"
            if status in ("proposed", "under_discussion", "agreed") and third_country:
                # A third country's ruling party calling on both sides to drop X: only the two sides act.
                reject(commitment, sentence, Reason.NOT_A_PARTY, cue.rule.name, how)
                continue
            subject = sentence.text[clause[0] : cue.start]
            if status in NEGATIVE_STATUSES and commitment.restricting_side:
                # The catalogue names who restricts; a subject naming one side says who did here.
                actor = _subject_side(subject, commitment, catalogue) or commitment.restricting_side
            elif (sentence.index, mention) in encounters:
                actor = "both"  # the two sides' people met: a meeting of both
            else:
                actor = _actor(subject, cue, sentence.text, catalogue)
            confidence = round(cue.rule.weight * scope, 2)
            statement = ExtractedStatement(
                commitment_id=commitment.id,
                status=status,
                actor=actor,
                evidence=sentence.text,
                sentence_index=sentence.index,
                confidence=confidence,
                rule=rule_name,
                attribution=source,
                path=how,
                nominal=cue.rule.form == "noun",
                nearest=reading.cue is None,
                plain_past=reading.features is not None
                and reading.features.tense == "past"
                and reading.features.aspect == "simple",
            )
            current = best.get(commitment.id)
            # Within a sentence, as between sentences (`_clarity`), a predicate the parse ties to
            # one of the mentions beats the nearest cue another mention stood in with.
            if current is None or _tied(statement) > _tied(current):
                best[commitment.id] = statement
        statements.extend(best.values())
    if per_sentence:
        return statements
    chosen = clearest(statements)
    if rejections is not None:
        for statement in statements:
            if statement not in chosen:
                rejections.append(
                    Rejection(
                        statement.commitment_id,
                        statement.sentence_index,
                        Reason.NOT_THE_CLEAREST,
                        statement.evidence,
                        statement.rule,
                        f"read {statement.status}; {statement.path}",
                    )
                )
    return chosen


_REPORTING_LEMMAS = frozenset({"say", "tell", "state", "add", "note", "announce", "report", "claim", "confirm"})


def _third_country_speaks(doc: Doc, catalogue: Catalogue) -> bool:
    """Whether the sentence's main subject is a third country's (its ruling party, its envoy), not a side's.

    A third country reporting the sides' act ("…, the third country said") is only its source.
    """
    for root in (t for t in doc if t.dep_ == "ROOT" and t.lemma_ not in _REPORTING_LEMMAS):
        for subject in (c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")):
            words = doc[subject.left_edge.i : subject.right_edge.i + 1].text
            if catalogue.others.search(words) and not _sides_in(words, catalogue):
                return True
    return False


def _asks(text: str) -> bool:
    """Whether a sentence ends on a question mark, closing quotes aside."""
    return text.rstrip("\"'”’ ").endswith("?")


def _question_turns(sentences: list[Sentence]) -> set[int]:
    """The sentences of a transcript's question turns: a turn opened by "Q:", or by a speaker's
    name whose turn asks something. A turn runs to the next speaker, list item or paragraph,
    so a heading with a colon above a list does not make the whole list a question."""
    turns: list[list[Sentence]] = []
    for sentence in sentences:
        opens = QUESTION.match(sentence.text) or SPEAKER.match(sentence.text) or BULLET.match(sentence.text)
        if not turns or opens or sentence.paragraph != turns[-1][0].paragraph:
            turns.append([])
        turns[-1].append(sentence)
    asked: set[int] = set()
    for turn in turns:
        first = turn[0].text
        if QUESTION.match(first) or (SPEAKER.match(first) and any(_asks(s.text) for s in turn)):
            asked.update(s.index for s in turn)
    return asked


# What may stand between two items of one list: commas, "and", "as well as", a few words.
_LIST_GAP = re.compile(r"[^.;:!?()]{0,40}", re.DOTALL)
_LIST_JOINT = re.compile(r",|\band\b|\bas well as\b")


def _listed_beside(
    text: str, span: tuple[int, int], commitment: Commitment, full: list[tuple[Commitment, tuple[int, int]]]
) -> bool:
    """Whether a short name is an item of a list whose neighbour names another commitment in full."""
    for other, (a, b) in full:
        if other.id == commitment.id:
            continue
        gap = text[b : span[0]] if b <= span[0] else text[span[1] : a] if span[1] <= a else None
        if gap is not None and _LIST_GAP.fullmatch(gap) and _LIST_JOINT.search(gap):
            return True
    return False


def _tied(statement: ExtractedStatement) -> tuple[bool, float]:
    """Which of one sentence's readings of a commitment stands: a predicate the parse tied to
    a mention first, then the surer reading."""
    return (not statement.nearest and not statement.nominal, statement.confidence)


def _clarity(statement: ExtractedStatement) -> tuple[bool, int, int, bool, float, int]:
    """How clearly a statement says where its commitment stands now (higher is clearer).

    A predicate says it more clearly than a noun phrase ("flights will resume
    on 26 October" over "the resumption of flights … is seen as a step"). A
    stall reported now outranks the agreements it stalls (one told in the
    plain past is background, like a restriction restated), and so does a
    setback the article opens with: that is its news, and the calls and plans
    further down answer it. News of a move outranks a long-standing state
    restated as background (suspended); among positive statements the highest
    rung is where the article says it stands, the lower ones being the way
    there. Between equals a cue the parse ties to the mention beats the
    nearest one, then the surer reading, then the earlier sentence: news
    states its point first.
    """
    opens_article = statement.sentence_index == 0 and not statement.nominal
    if (
        statement.status in NEGATIVE_STATUSES
        and not statement.plain_past
        and (statement.status == "stalled" or opens_article)
    ):
        group = 3
    elif statement.status in NEGATIVE_STATUSES:
        group = 1
    else:
        group = 2
    rung = POSITIVE_LADDER.index(statement.status) if statement.status in POSITIVE_LADDER else 0
    return (not statement.nominal, group, rung, not statement.nearest, statement.confidence, -statement.sentence_index)


def clearest(statements: list[ExtractedStatement]) -> list[ExtractedStatement]:
    """One statement per commitment: the sentence that states its current status most clearly."""
    by_commitment: dict[str, list[ExtractedStatement]] = {}
    for statement in statements:
        by_commitment.setdefault(statement.commitment_id, []).append(statement)
    chosen = [max(items, key=_clarity) for items in by_commitment.values()]
    return sorted(chosen, key=lambda s: (s.sentence_index, s.commitment_id))
