"""Cues: the lexicon's phrases found in a sentence, and the one that governs a mention.

The governing cue is found on the dependency tree (`tree_cue`): the predicate
on the mention's path up the tree, its complements, an infinitive chain's
highest rung, a relative clause on the mention. Where the parse offers none,
the nearest cue in the mention's clause stands in (`nearest_cue`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.catalogue import NEGATIVE_STATUSES, POSITIVE_LADDER, CommitmentKind, CueRule, Lexicon, Words
from tracker.extraction import grammar
from tracker.extraction.text import inside
from tracker.model import Reason

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_PAST_RELATIVE = re.compile(r"[\s,(]*(?:(?:which|that|who)\s+)?(?:was|were|had|\w+ed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CueMatch:
    rule: CueRule
    start: int
    end: int
    text: str


_CLAUSE_BREAK_BEFORE = re.compile(r"[;:]|,\s(?:and|but|while|whereas)\s")


def _subject_fits(rule: CueRule, before: str) -> bool:
    # Only the words since the last clause break are the cue's subject; a part that
    # ends on a comma closes a list inside the subject ("the ban on X, Y, and Z,
    # remains"), so the subject reaches back past it.
    ends = [0, *(m.end() for m in _CLAUSE_BREAK_BEFORE.finditer(before))]
    start = ends.pop()
    while ends and before[start:].rstrip().endswith(","):
        start = ends.pop()
    before = before[start:]
    if rule.subject is not None and not rule.subject.search(before):
        return False
    return not (rule.not_subject is not None and rule.not_subject.search(before))


def find_cues(text: str, lexicon: Lexicon, kind: CommitmentKind = CommitmentKind.STATE) -> list[CueMatch]:
    """The lexicon's cues in a text that speak of commitments of this kind."""
    cues = [
        CueMatch(rule, m.start(), m.end(), m.group(0))
        for rule in lexicon.cues
        if not rule.kinds or kind in rule.kinds
        for m in rule.pattern.finditer(text)
        if _subject_fits(rule, text[: m.start()])
    ]

    # Where two cues overlap, one phrase is being read twice: a predicate beats
    # a noun phrase ("imposed restrictions on"), then a cue for this kind of
    # commitment beats a general one ("held talks" is a meeting held, not talks
    # about something), then the longer match wins ("remain suspended" is one
    # cue, not "suspended" as well).
    def strength(cue: CueMatch) -> tuple[bool, bool, int]:
        return (cue.rule.form == "verb", bool(cue.rule.kinds), cue.end - cue.start)

    cues.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[CueMatch] = []
    for cue in cues:
        if kept and cue.start < kept[-1].end:
            if strength(cue) > strength(kept[-1]):
                kept[-1] = cue
            continue
        kept.append(cue)
    return kept


_TIME_CLAUSE = re.compile(
    r"\b(?:before|after|until|till|since|once|when)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:came|come|was|were|had|has|have|began|started|took|imposed|ended)\b",
    re.IGNORECASE,
)


def nearest_cue(
    sentence: str,
    mention: tuple[int, int],
    cues: list[CueMatch],
    clause: tuple[int, int],
    descriptions: list[tuple[int, int]],
    read_elsewhere: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
) -> CueMatch | None:
    """The cue nearest the mention in its clause, for a mention the parse gives none.

    `read_elsewhere` holds other commitments' mentions with the cue the parse gave each: a
    cue on the far side of such a mention, not its own, is not this one's ("X has been
    restored, Y has resumed, and Z will restart": Z is not restored).
    """
    mention_description = inside(mention, descriptions)

    def beyond_another(c: CueMatch) -> bool:
        low, high = (c.end, mention[0]) if c.end <= mention[0] else (mention[1], c.start)
        return any(
            low <= other[0] and other[1] <= high and not (own[0] < c.end and c.start < own[1])
            for other, own in read_elsewhere
        )

    usable = [
        c
        for c in cues
        if clause[0] <= c.start < clause[1]
        and inside((c.start, c.end), descriptions) == mention_description
        and not beyond_another(c)
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
    # A predicate of a time clause after the mention ("… flights before the curbs came
    # into force") dates the mention's clause; it says nothing of the mention.
    later = [c for c in verbs if c.start >= mention[1]]
    after = [c for c in later if not _TIME_CLAUSE.search(sentence, mention[1], c.end)]
    overlapping = [c for c in verbs if c not in before and c not in later]
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
    # "the resumption of the yatra" speaks of the yatra alone, not of another
    # commitment named elsewhere in the clause.
    nouns = [
        c
        for c in usable
        if c.rule.form == "noun" and (not c.text.lower().endswith(" of") or 0 <= mention[0] - c.end <= 5)
    ]
    if not nouns:
        return None
    return min(nouns, key=lambda c: min(abs(c.start - mention[1]), abs(mention[0] - c.end)))


@dataclass(frozen=True)
class TreeReading:
    """What the parse says governs a mention: the cue, the path to it, and the predicate's features."""

    cue: CueMatch | None
    path: str
    features: grammar.PredicateFeatures | None
    # Set when the tree rules every cue out.
    veto: Reason | None = None


def _cue_tokens(doc: Doc, cues: list[CueMatch]) -> dict[int, CueMatch]:
    owner: dict[int, CueMatch] = {}
    for cue in cues:
        for token in grammar.tokens_in(doc, cue.start, cue.end):
            owner.setdefault(token.i, cue)
    return owner


_CLAUSE_EDGES = frozenset({"relcl", "acl"})
# Clauses that make their own assertion: "Having discussed rivers in April, they agreed …".
_OWN_CLAUSES = frozenset({"advcl", "ccomp", "csubj", "parataxis"})
_ACTIONS = frozenset({"proposed", "under_discussion", "agreed"})
_CONTRAST = frozenset({"though", "although", "while", "whereas", "but"})
# Prepositions by which a named event dates a predicate: "trade grew after the standoff".
_TIME_ANCHORS = frozenset({"since", "after", "following", "before", "until", "till"})
_OBJECT_EDGES = frozenset({"dobj", "pobj", "pcomp", "prep", "appos", "conj", "cc", "compound", "amod", "poss"})


def _steps_taken(chain: list[Token], depth: int, words: Words) -> bool:
    """Whether the chain above passes through "take steps (to …)": steps agreed are an agreement.

    "agreed to promote X" keeps working toward X; "agreed to take measures to
    promote X" decides the steps (the reading conventions: taking steps that include X).
    """
    for node in chain[depth + 1 :]:
        # Steps named as things ("steps to …"), not the verb ("step up consultations").
        if (node.lemma_ in words.steps and node.pos_ in ("NOUN", "PROPN")) or (
            node.lemma_ == "take" and any(c.dep_ == "dobj" and c.lemma_ in words.steps for c in node.children)
        ):
            return True
        if node.pos_ in ("VERB", "AUX") and grammar.is_finite(node):
            return False
    return False


_TOPIC_PREPOSITIONS = frozenset({"about", "on", "over", "regarding", "concerning"})
_ABOVE_TALKS = frozenset(POSITIVE_LADDER[POSITIVE_LADDER.index("under_discussion") + 1 :])
_PURPOSE_EDGES = frozenset({"advcl", "xcomp", "acl", "relcl"})


def _talks_purpose(chain: list[Token], top: int, owner: dict[int, CueMatch]) -> CueMatch | None:
    """A talk verb that gives the purpose of what is agreed between the mention and its cue.

    "agreed to hold a meeting of the expert mechanism to discuss data sharing":
    the meeting is held to keep consulting on an outcome not yet decided, which
    the reading conventions keep under discussion. So is a matter agreed to be
    discussed ("data sharing has been agreed to be discussed").
    """
    on_chain = {node.i for node in chain[: top + 1]}
    # The mention may be what is agreed on itself: "X has been agreed to be discussed".
    subject_of_cue = top > 0 and chain[top - 1].dep_ in ("nsubj", "nsubjpass")
    for node in chain[1 : top + 1 if subject_of_cue else top]:
        for child in node.children:
            talk = owner.get(child.i)
            if (
                talk is not None
                and child.i not in on_chain
                and child.dep_ in _PURPOSE_EDGES
                and talk.rule.status == "under_discussion"
                and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children)
            ):
                return talk
    return None


def _talks_about(chain: list[Token], depth: int, owner: dict[int, CueMatch], cue: CueMatch, words: Words) -> bool:
    """Whether the mention is what talks are about ("agreed to hold talks on X", "agreed to discuss X").

    Agreeing to talk about an outcome not yet decided keeps it under discussion (the
    reading conventions); agreeing to hold a round of a named mechanism ("the next
    meeting of the boundary talks") keeps the mechanism: that agreement stands.
    """
    if chain[depth].lemma_ in words.talk_verbs and depth > 0 and chain[depth - 1].dep_ == "dobj":
        return True
    # The preposition may be the cue's own word ("talks on X") or hang on its verb ("remain engaged with Y on X").
    return any(
        node.lower_ in _TOPIC_PREPOSITIONS
        and (owner.get(node.i) is cue or (owner.get(node.head.i) is cue and node.head.pos_ in ("VERB", "AUX", "ADJ")))
        for node in chain[1 : depth + 1]
    )


def _outer_cue(
    chain: list[Token], depth: int, owner: dict[int, CueMatch], cue: CueMatch, words: Words
) -> tuple[CueMatch | None, int]:
    """The highest rung among the cues of one chain of non-finite verbs up to its finite verb.

    "agreed to expedite X" is in progress, "agreed to resume X" agreed; a
    ceiling cue is as high as the chain goes ("agreed to promote X" is an
    agreement to keep working toward X: under discussion). A setback cue
    stays as it is. An act only asked for ("urged that X be restored") is the call's,
    or nobody's (None) when the verb asking for it is no call.
    """
    if cue.rule.status not in POSITIVE_LADDER or (cue.rule.ceiling and not _steps_taken(chain, depth, words)):
        return cue, depth
    if cue.rule.status == "under_discussion" and _talks_about(chain, depth, owner, cue, words):
        return cue, depth
    # Only a predicate climbs its chain: from the cue's own verb on the path ("address" in
    # "agreed to address Ruritania's concerns"); a cue the parser read as nouns stays where it is.
    own = [i for i in range(depth, len(chain)) if owner.get(chain[i].i) is cue and chain[i].pos_ in ("VERB", "AUX")]
    if not own:
        return cue, depth
    depth = own[-1]
    best, top = cue, depth
    for higher in range(depth, len(chain)):
        node = chain[higher]
        outer = owner.get(node.i)
        if (
            outer is not None
            and outer.rule.ceiling
            and outer is not best
            and not _steps_taken(chain, higher, words)
            # Work on implementing X is that work under way: "working to finalise the modalities of X".
            and best.rule.status != "in_progress"
        ):
            # "agreed to take measures to promote X": the chain stops at the ceiling.
            return outer, higher
        if (
            outer is not None
            and outer.rule.form == "verb"
            and outer.rule.status in POSITIVE_LADDER
            and POSITIVE_LADDER.index(outer.rule.status) > POSITIVE_LADDER.index(best.rule.status)
        ):
            best, top = outer, higher
        elif outer is not None and best.rule.promised and outer.rule.form == "verb" and outer.rule.status == "agreed":
            # "agreed to finalise the modalities": a promise of work is the agreement.
            best, top = outer, higher
        infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children)
        purpose_of = _purpose_of(node) if higher == depth else None
        if purpose_of is not None and best.rule.status in ("in_progress", "implemented"):
            # "In order to expedite X, the ministers exchanged views on Y": a purpose is an aim; what
            # was done is the main verb's, or nothing said of X when that verb is no cue.
            main = owner.get(purpose_of.i)
            return (main, higher + 1) if main is not None and main.rule.form == "verb" else (None, higher)
        if _asked_for(node, words):
            # "urged that flights be restored": the call governs the act it asks for; an act asked
            # for by a verb that is no call of the lexicon's is not reported either.
            call = owner.get(node.head.i)
            return (call, higher + 1) if call is not None and call.rule.status == "proposed" else (None, higher)
        if (node.pos_ in ("VERB", "AUX") and grammar.is_finite(node)) or (node.dep_ in _OWN_CLAUSES and not infinitive):
            break
    return best, top


def _purpose_of(node: Token) -> Token | None:
    """The verb an infinitive states the purpose of, if it is a purpose clause: "in order to X"
    or "to X" set before its main clause ("To speed up X, the sides met"); not a verb's own
    complement ("have taken steps to ease X")."""
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children):
        return None
    if node.dep_ == "acl" and node.head.lower_ == "order" and node.head.head.lower_ in ("in", "so"):
        return node.head.head.head
    if node.dep_ == "advcl" and node.i < node.head.i:
        return node.head
    return None


# Tags of a verb in its bare form: the subjunctive of "demanded that the other side lift the curbs".
_BARE_FORMS = frozenset({"VB", "VBP"})


def _asked_for(node: Token, words: Words) -> bool:
    """Whether a that-clause states an act asked for, not one reported: its verb in the bare
    form under a verb of asking ("urged that X be restored", "demanded that Y lift its curbs")."""
    if node.dep_ != "ccomp" or node.head.lemma_ not in words.asking_for:
        return False
    auxiliaries = [c for c in node.children if c.dep_ in ("aux", "auxpass")]
    if (auxiliaries[0].tag_ if auxiliaries else node.tag_) not in _BARE_FORMS:
        return False
    # "asked that no such activity be carried out": a call against the act, not for it.
    return not any(
        c.dep_ == "neg" or (c.dep_ in ("nsubj", "nsubjpass") and any(d.lower_ in ("no", "none") for d in c.subtree))
        for c in node.children
    )


# Words that announce a topic before what is said of it.
_TOPIC_MARKERS = frozenset({"regarding", "concerning"})


def _prospective(cue_tokens: list[Token], words: Words) -> bool:
    """Whether a resumption noun carries an adjective of hope: "early resumption", "a speedy restoration"."""
    return any(c.dep_ == "amod" and c.lower_ in words.prospective for t in cue_tokens for c in t.children)


def _names_a_topic(between: list[Token], verb: Token, words: Words) -> bool:
    """Whether a resumption named as a noun under a verb that is no cue is a topic or an aim, not news.

    "Appreciated the cooperation for the resumption of X", "following the
    resumption of X from 20 June", "these measures include the resumption of
    X": a completed step reported in passing holds (the reading conventions).
    "The talks covered several themes, including the resumption of X", "the
    need for … the resumption of X": it is a subject or a goal.
    """
    if any(n.lemma_.lower() in words.aims for n in between):
        return True
    if (
        between
        and between[-1].dep_ == "prep"
        and any(c.dep_ == "dobj" and c.lemma_.lower() in words.aims for c in verb.children)
    ):
        # "dismissed the objections to the reopening of X": the parser may hang the
        # preposition on the verb, but it belongs to the noun of aim that is its object.
        return True
    if verb.lemma_.lower() in words.topic_verbs:
        return True
    if verb.lemma_.lower() in ("include", "cover", "comprise"):
        # The subject may hang on the verb it is coordinated with ("Issues to be discussed … include …").
        holders = [verb, verb.head] if verb.dep_ == "conj" else [verb]
        return any(
            c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in words.topic_subjects
            for holder in holders
            for c in holder.children
        )
    return False


_COMPLEMENTS = frozenset({"acomp", "attr", "oprd", "prep", "dobj", "prt", "advmod", "neg", "aux", "auxpass"})


def _complement_cue(verb: Token, branch: Token, owner: dict[int, CueMatch]) -> CueMatch | None:
    """A verb cue on the verb's complements (not on the branch that leads to the mention)."""
    for child in verb.children:
        if child.i == branch.i or child.dep_ not in _COMPLEMENTS:
            continue
        for token in [child, *child.children]:
            cue = owner.get(token.i)
            if cue is not None and cue.rule.form == "verb":
                return cue
    return None


_AT_A_MEETING = frozenset({"at", "in", "during", "after", "following"})


_PLACE_PREPOSITIONS = frozenset({"along", "across", "near", "beside", "via", "beyond"})


def only_a_place(doc: Doc, mention: tuple[int, int]) -> bool:
    """Whether the mention is only the object of a preposition of place ("trading points along the
    border", "a pass near the LAC", "a dam close to the LAC")."""
    head = grammar.span_head(grammar.tokens_in(doc, *mention))
    if head is None or head.dep_ != "pobj":
        return False
    preposition = head.head
    return preposition.lower_ in _PLACE_PREPOSITIONS or (
        preposition.lower_ == "to" and preposition.dep_ == "prep" and preposition.head.lower_ == "close"
    )


def held_at(doc: Doc, mention: tuple[int, int], words: Words) -> TreeReading | None:
    """A meeting named as where something was done: "agreed at their meeting on Friday", "In their
    first meeting, X called on Y …", "At the outset of the meeting, …": the meeting was held.

    Only when the predicate it hangs on is told in the past; None otherwise.
    """
    head = grammar.span_head(grammar.tokens_in(doc, *mention))
    if head is None:
        return None
    node = head
    for _ in range(2):
        if node is None or node.dep_ != "pobj":
            return None
        preposition = node.head
        if preposition.lower_ in _AT_A_MEETING:
            verb = grammar.verb_of(preposition)
            features = grammar.predicate_features(verb)
            if verb is preposition or features.tense != "past" or features.negated or features.modal:
                return None
            return TreeReading(None, grammar.describe_path(grammar.path_up(head)[:4]), features)
        if preposition.lower_ == "of" and preposition.head.lemma_.lower() in words.parts_of_a_meeting:
            node = preposition.head
            continue
        return None
    return None


def _on_what_follows(verb: Token) -> bool:
    """Whether the verb's matter is a list still to come: "agreed on the following", "agreed as follows"."""
    return any(
        (c.dep_ == "prep" and any(g.dep_ == "pobj" and g.lower_ == "following" for g in c.children))
        or (c.dep_ == "advcl" and c.lower_ == "follows")
        for c in verb.children
    )


def _turn_speaks_of_mention(turn: Token, verbs: list[Token], role: str, words: Words) -> bool:
    """Whether a coordinated clause speaks of the mention the first clause took up (as `role`)."""
    if _on_what_follows(turn):
        # A readout's list of what was agreed follows the matter the first clause took up,
        # whoever the second names ("held frank talks on X, and the two envoys agreed on
        # the following:").
        return True
    if role not in ("nsubj", "nsubjpass", "dobj"):
        return False
    if any(c.pos_ != "PRON" for c in turn.children if c.dep_ in ("nsubj", "nsubjpass")):
        return False  # a clause with a subject of its own is a statement of its own
    if role == "dobj":
        # The second verb names the mention again: a pronoun, a restriction.
        objects = [c for v in verbs for c in v.children if c.dep_ in ("dobj", "nsubjpass")]
        return bool(objects) and all(o.pos_ == "PRON" or o.lemma_.lower() in words.restriction_nouns for o in objects)
    return True


def _coordinated_turn(
    chain: list[Token], in_mention: set[int], owner: dict[int, CueMatch], words: Words
) -> tuple[int, Token] | None:
    """A later clause coordinated with the mention's predicate that says where it stands now.

    "Flights had been suspended since 2020 but resumed on Sunday", "…had blocked shipments
    of X but has now lifted the curbs": the first predicate is background to the second,
    which shares its subject (or names it by a pronoun) and, when the mention is the
    object, names it again as a restriction or a pronoun. Returns the first verb's depth
    and the coordinated verb whose cue reads the mention.
    """
    for depth, node in enumerate(chain):
        if depth > 0 and node.pos_ in ("VERB", "AUX") and node.i not in in_mention:
            break
    else:
        return None
    role = chain[depth - 1].dep_
    for turn in (c for c in node.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and c.i > node.i):
        verbs = [turn, *(c for c in turn.children if c.dep_ == "xcomp" and c.pos_ == "VERB")]
        if not _turn_speaks_of_mention(turn, verbs, role, words):
            continue
        for verb in verbs:
            cue = owner.get(verb.i)
            if cue is not None and cue.rule.form == "verb":
                return depth, verb
    return None


def tree_cue(
    doc: Doc, mention: tuple[int, int], cues: list[CueMatch], descriptions: list[tuple[int, int]], words: Words
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
    own = inside(mention, descriptions)
    owner = _cue_tokens(doc, [c for c in cues if inside((c.start, c.end), descriptions) in (None, own)])
    in_mention = {t.i for t in tokens}
    chain = grammar.path_up(head)
    turn = _coordinated_turn(chain, in_mention, owner, words)
    if turn is not None:
        depth, verb = turn
        path = f"{grammar.describe_path(chain[: depth + 1])} -conj> {verb.text}"
        return TreeReading(owner[verb.i], path, grammar.predicate_features(grammar.verb_of(verb)))
    noun_hit: tuple[CueMatch, int] | None = None
    for depth, node in enumerate(chain):
        cue = owner.get(node.i) if node.i not in in_mention or depth == 0 else None
        if cue is None and depth > 0 and node.pos_ in ("VERB", "AUX"):
            # "remain on hold", "have made no progress": the predicate's own complements.
            cue = _complement_cue(node, chain[depth - 1], owner)
        if cue is not None and not (cue.start < mention[1] and mention[0] < cue.end and node.i in in_mention):
            verb = grammar.verb_of(node)
            cue_tokens = grammar.tokens_in(doc, cue.start, cue.end)
            cue_verbs = [t for t in cue_tokens if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass")]
            if cue_verbs:
                # The features are the cue's own predicate's ("agreed" in "agreed to resume X").
                verb = cue_verbs[0]
            if (
                cue.rule.form == "verb"
                and cue.rule.status in _ACTIONS
                and chain[depth - 1].dep_ == "nsubj"
                and (depth == 1 or chain[depth - 1].i in in_mention)
                and node.lemma_ not in ("be", "remain", "stay", "continue")
                and any(
                    c.dep_ == "dobj" or (c.dep_ == "prep" and c.lower_ in ("on", "about", "over", "regarding"))
                    for c in node.children
                )
            ):
                # "The Special Representatives discussed the yatra …": who acts is not what is discussed.
                return TreeReading(None, grammar.describe_path(chain[: depth + 1]), None, veto=Reason.AGENT)
            if (
                cue.rule.form == "verb"
                and cue.rule.status == "implemented"
                and noun_hit is not None
                and noun_hit[0].rule.status == "under_discussion"
                # Talks that have not begun are read as the not-resumed state.
                and not (features := grammar.predicate_features(verb)).negated
            ):
                # "have resumed engagements, including talks on X": the talks resumed, not X.
                return TreeReading(noun_hit[0], grammar.describe_path(chain[: depth + 1]), features)
            if cue.rule.form == "verb":
                outer, top = _outer_cue(chain, depth, owner, cue, words)
                if outer is None:
                    return TreeReading(None, grammar.describe_path(chain[: top + 2]), None, veto=Reason.HEDGED)
                cue = outer
                verb = grammar.verb_of(chain[top]) if top > depth else verb
                purpose = _talks_purpose(chain, top, owner) if cue.rule.status in _ABOVE_TALKS else None
                if purpose is not None:
                    # "agreed to hold a meeting of the mechanism to discuss X": what is agreed is to talk.
                    path = f"{grammar.describe_path(chain[: top + 1])} (to {purpose.text})"
                    return TreeReading(purpose, path, grammar.predicate_features(verb))
                return TreeReading(cue, grammar.describe_path(chain[: top + 1]), grammar.predicate_features(verb))
            if noun_hit is None:
                noun_hit = (cue, depth)
        if (
            # A step done named as the anchor ("since the resumption of X") still holds.
            (noun_hit is None or (noun_hit[1] < depth and noun_hit[0].rule.status != "implemented"))
            and depth > 0
            and node.dep_ == "prep"
            and node.lower_ in _TIME_ANCHORS
            and chain[depth - 1].dep_ == "pobj"
            and node.head.pos_ in ("VERB", "AUX", "NOUN")
        ):
            # "trade grew after the standoff", "in a relief after the truce, trucks crossed": the
            # event named dates the predicate or its adjunct; it says nothing of the event's own state.
            return TreeReading(None, grammar.describe_path(chain[: depth + 2]), None, veto=Reason.RETROSPECTIVE)
        if noun_hit is None and depth > 0 and node.lemma_ in words.cause_nouns and chain[depth - 1].dep_ == "prep":
            # "imposed duties on Y in retaliation for X's levies on Z": what provoked the act is its
            # cause, told as background; the act speaks of Y alone.
            return TreeReading(None, grammar.describe_path(chain[: depth + 1]), None, veto=Reason.EMBEDDED_NOMINAL)
        if depth > 0 and chain[depth - 1].dep_ in _CLAUSE_EDGES:
            # A relative clause or participle is read only for its own noun.
            break
        if node.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _CONTRAST for c in node.children):
            # "…landed on Monday, though border trade has yet to resume": a contrast is its own statement.
            break
        if node.dep_ == "conj" and node.pos_ in ("VERB", "AUX") and grammar.is_finite(node) and depth > 0:
            # "…remained suspended, and the border standoff kept them away": a
            # coordinated clause with its own subject is a statement of its own.
            break
    if noun_hit is not None:
        cue, depth = noun_hit
        above = chain[depth + 1 :]
        if any(n.lemma_ in words.asked_about for n in above):
            # "…said when asked about the curbs": the topic of a question is no assertion of its state.
            return TreeReading(None, grammar.describe_path(chain), None)
        # "including", "following", "regarding" are prepositions here, whatever their tag.
        verbs = [n for n in above if n.pos_ in ("VERB",) and n.dep_ != "prep"]
        path = grammar.describe_path(chain[: depth + 1])
        if cue.rule.status in NEGATIVE_STATUSES and any(n.lower_ in _TOPIC_MARKERS for n in chain[depth:]):
            # "Regarding X's curbs on Y, the ministers noted progress": the restriction is the topic announced.
            return TreeReading(None, path, None, veto=Reason.EMBEDDED_NOMINAL)
        below_verb = above[: above.index(verbs[0])] if verbs else above
        if cue.rule.status in NEGATIVE_STATUSES and any(n.lemma_ in words.cause_nouns for n in below_verb):
            # "in retaliation for X's tariffs on Y": a restriction named as the cause of another act is background.
            return TreeReading(None, path, None, veto=Reason.EMBEDDED_NOMINAL)
        if cue.rule.status == "implemented" and verbs and _purpose_of(verbs[0]) is not None:
            # "To hasten the reopening of X, Ruritania upgraded roads": a step named in a purpose is an aim.
            return TreeReading(None, path, None, veto=Reason.EMBEDDED_NOMINAL)
        if cue.rule.status == "implemented" and _prospective(grammar.tokens_in(doc, cue.start, cue.end), words):
            # "ensuring an early resumption of X": hoped for, not reported.
            return TreeReading(None, path, None, veto=Reason.EMBEDDED_NOMINAL)
        if cue.rule.status == "implemented" and verbs:
            between = chain[depth : chain.index(verbs[0])]
            edges = {n.dep_ for n in between}
            if edges <= _OBJECT_EDGES | {"nsubj"} and "nsubj" not in edges and _names_a_topic(between, verbs[0], words):
                return TreeReading(None, path, None, veto=Reason.EMBEDDED_NOMINAL)
        verb = verbs[0] if verbs else chain[depth]
        return TreeReading(cue, path, grammar.predicate_features(verb))
    # "the yatra, which resumed last month": a relative clause on the mention.
    described = _cue_tokens(doc, cues)
    for child in head.children:
        if child.dep_ in ("relcl", "acl") and child.i in described and described[child.i].rule.form == "verb":
            features = grammar.predicate_features(child)
            cue = described[child.i]
            if cue.rule.status == "implemented" or features.tense in ("present", "future"):
                return TreeReading(cue, f"{head.text} -{child.dep_}> {child.text}", features)
    return TreeReading(None, grammar.describe_path(chain), None)
