"""Reasons: why a governing cue does not make a statement here, each a small named unit.

Modelled on clinical assertion detection (negated, historical, hypothetical,
experienced by someone else): every unit looks at one kind of modifier, in
the lexicon's words and in the parse's features, and the first that applies
names the reason the mention is not a statement of its current status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from tracker.catalogue import Lexicon
from tracker.extraction import grammar
from tracker.extraction.dates import DATED_ANCHOR, DATED_WHEN, DAY_AHEAD, MONTH_ALT, START_ON, NamedDay, anchor_is_past
from tracker.extraction.text import inside
from tracker.model import Reason

if TYPE_CHECKING:
    from tracker.extraction.cues import CueMatch

_PAST_VERB = re.compile(
    r"^(?:(?:was|were|had|had been|got) )?"
    r"(?:\w+ed|held|began|took|met|made|reached|signed|built|froze|shut|set|put|sought)\b",
    re.IGNORECASE,
)
_PAST_WORD = re.compile(
    r"\b(?:\w+ed|held|began|took|met|made|reached|signed|froze|sought|struck|won|brought)\b", re.IGNORECASE
)
# A participle and the phrase that names who or where ("an accord struck between the two
# governments"), closing the words before a date: the date is that participle's.
_PARTICIPLE_PHRASE = re.compile(
    r"\b(?:\w+ed|struck|reached|signed|made|held|won|brought)\s+(?:by|between|with|among|at|during|under)\b[^,;]*$",
    re.IGNORECASE,
)
# Statuses that only a party to the relationship can bring about by acting.
ACTIONS = frozenset({"proposed", "under_discussion", "agreed"})
_COORDINATION = re.compile(r"\b(?:but|and|yet)\b", re.IGNORECASE)
_FINITE_PAST = re.compile(r"\b(?:was|were|had been|had)\s+\w+ed\b", re.IGNORECASE)
_PRESENT_START = re.compile(r"^(?:has|have|is|are|remains?|continues?)\b", re.IGNORECASE)
_FORWARD = re.compile(r"^(?:will|would|shall|set to|scheduled|slated|due|poised|to be)\b", re.IGNORECASE)
_PRESENT_AUX = re.compile(r"\b(?:has|have|is|are|remains?|continues? to)\s+(?:\w+\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """One mention with the cue that governs it: what every reason unit looks at."""

    sentence: str
    clause: tuple[int, int]
    mention: tuple[int, int]
    cue: CueMatch
    published: date
    lexicon: Lexicon
    descriptions: list[tuple[int, int]]
    features: grammar.PredicateFeatures | None = None
    # Who the sentence says it comes from ("analysts said"), "" when nobody.
    source: str = ""
    # How the relationship names each side: its terms and its speakers.
    sides: tuple[re.Pattern[str], ...] = ()

    @cached_property
    def window_start(self) -> int:
        start = max(self.clause[0], min(self.cue.start, self.mention[0]) - 60)
        # …nor does it reach back past ", and" or ", but" into a coordinated clause.
        for join in re.finditer(r",\s+(?:and|but)\s", self.sentence[start : min(self.cue.start, self.mention[0])]):
            start = max(start, start + join.end())
        return start

    @cached_property
    def window(self) -> str:
        """The words before the cue, and before the mention when the cue follows it.

        "could resume flights", "flights could soon resume". A noun cue has no
        predicate of its own, so the whole clause's predicate counts.
        """
        if self.cue.rule.form == "noun":
            return self.sentence[self.clause[0] : self.clause[1]]
        return self.sentence[self.window_start : self.cue.start]

    @property
    def cue_text(self) -> str:
        return self.cue.text.lower()

    @cached_property
    def day_ahead(self) -> bool:
        """A completion put on a day still to come: a calendar announced, not yet done.

        Asked by the hedge unit and again by the reader, so read once. A scheme extended is in
        effect already: its day is when the extension runs to or from, not a start."""
        if self.extends:
            return False
        return _dated_future(self) or _starts_later(self)

    @cached_property
    def extends(self) -> bool:
        """ "Will extend the waiver to December": a scheme kept in effect longer, so in effect now.
        Extended to new beneficiaries ("to travellers from X") it starts for them: not this."""
        return bool(_EXTENDS.match(self.cue.text) and _IN_TIME.search(self.sentence, self.cue.end, self.clause[1]))


_FORMERLY = frozenset({"once", "formerly", "previously", "originally", "earlier", "briefly", "temporarily"})
_BACKGROUND_MARKS = frozenset({"after", "before", "since", "when", "once"})
_NEGATION_IN_CUE = re.compile(r"\b(?:not|never|no|yet to)\b|n't\b", re.IGNORECASE)
# A wish is no hedge on a call it stands beside: it is a way of calling.
_WISH = re.compile(r"hopes?|hoped|hoping|hopeful|wish(?:es)?|wants?|wanted|would like", re.IGNORECASE)
# A hedge the cue's own words carry: "will likely resume", "would probably reopen".
_HEDGE_IN_CUE = re.compile(r"\b(?:likely|probably|possibly|perhaps|potentially)\b", re.IGNORECASE)
_STARTS_TODAY = re.compile(r"\b(?:from|starting|as of|with effect from|beginning) today\b", re.IGNORECASE)
_HEDGING_MODALS = frozenset({"could", "might", "may", "should", "must", "ought"})


def negated(r: Reading) -> bool:
    """ "No decision has been taken on flights", "have not agreed": a denial asserts no progress.

    A negation the cue itself carries ("have not resumed") is the cue's meaning, not a cancel.
    """
    if r.lexicon.negation.search(r.window) or re.search(r"n't\b|\bcannot\b", r.window, re.IGNORECASE):
        return True
    return bool(r.features and r.features.negated and not _NEGATION_IN_CUE.search(r.cue.text))


def unconfirmed(r: Reading) -> bool:
    """ "Shipments have reportedly begun", "I read that cargoes are moving": a report nobody stands behind."""
    return bool(r.lexicon.unconfirmed.search(r.window) or r.lexicon.unconfirmed_anywhere.search(r.sentence))


_UNTIL = re.compile(r"\b(?:until|till|unless)\b", re.IGNORECASE)


# A date the parser hangs on the verb itself: "will resume on 26 October", "from next month".
_DATED_START = frozenset({"from", "on", "starting", "beginning", "by"})
# How far ahead of the article a start named without its year may lie (this year's, or next year's).
_START_HORIZON_DAYS = 120
# A scheme kept in effect longer: extended to a date or for a further period.
_EXTENDS = re.compile(r"(?:extend|renew|prolong)\w*", re.IGNORECASE)
_IN_TIME = re.compile(
    rf"\b(?:(?:to|until|till|through|into) (?:the end of |end-)?(?:\d{{1,2}} )?(?:{MONTH_ALT}|(?:19|20)\d\d)\b"
    r"|for (?:another|a further|an additional|one more|\w+ more) (?:\w+ )?(?:years?|months?|weeks?|days?))",
    re.IGNORECASE,
)
# The word just before a day: a reporting verb there ("said on Monday") dates the source's words.
_LAST_WORD = re.compile(r"(\w+)\s+$")


def _starts_later(r: Reading) -> bool:
    """A start day after the article's own, anywhere in the cue's clause: "decides to, starting from
    17 February, extend the waiver" is announced, not yet in effect."""
    starts = list(START_ON.finditer(r.sentence, r.clause[0], r.clause[1]))
    if r.features is not None and r.features.tense == "past" and not any(m.group("year") for m in starts):
        # "resumed from March" told in the past: without a year the month is an earlier one.
        return False
    return any(NamedDay.of(m).start_after(r.published, _START_HORIZON_DAYS) is not None for m in starts)


def _dated_future(r: Reading) -> bool:
    """A future act with its day named later in its clause: a calendar announced.

    A start put on the article's own day ("will resume issuing visas from today") is the start.
    """
    if r.features is None or r.features.tense != "future" or _STARTS_TODAY.search(r.cue_text):
        return False
    if r.features.date_preposition in _DATED_START:
        return True
    # "..., the ministry said on Monday": the day a source spoke is not the act's day.
    return any(not _reported_on(r, day.start()) for day in DAY_AHEAD.finditer(r.sentence, r.cue.end, r.clause[1]))


def _reported_on(r: Reading, day_start: int) -> bool:
    """Whether the day named at `day_start` follows a reporting verb of the lexicon's."""
    last = _LAST_WORD.search(r.sentence, 0, day_start)
    return bool(last and r.lexicon.reporting.fullmatch(last.group(1)))


def hedged(r: Reading) -> bool:
    """Speculation, hopes and conditions: "flights could resume", "if talks go well", "once it is completed"."""
    if _HEDGE_IN_CUE.search(r.cue_text) or any(
        not (r.cue.rule.status == "proposed" and _WISH.fullmatch(m.group(0)))
        for m in r.lexicon.speculation.finditer(r.window)
    ):
        # A wish voiced beside a call is the same call: "expressed hope for X and urged Y".
        return True
    between = r.sentence[r.cue.end : r.mention[0]]
    if (
        r.cue.rule.status in ("in_progress", "implemented")
        and len(between.split()) <= 5
        and r.lexicon.speculation.search(between)
    ):
        # "preparing for a possible recommencement of X": the step prepared for is itself a prospect.
        return True
    conditional = r.lexicon.conditional.search(r.window)
    if conditional:
        # "would" is a hedge unless the sentence reports or commits: "agreed that flights would resume".
        before = r.sentence[: r.window_start + conditional.start()]
        if not (r.lexicon.reporting.search(before) or r.lexicon.commitment_verbs.search(before)):
            return True
    if r.features is None:
        return False
    if r.cue.rule.form == "noun":
        # "The resumption of flights will boost tourism": a step named as the subject or
        # object of a prediction is a prospect, not a step reported done.
        return r.cue.rule.status == "implemented" and r.features.tense == "future"
    if r.features.role == "conditional":
        return True
    if r.features.conditioned and r.features.tense in ("future", "none"):
        # "will stay suspended until X acts": the condition is for lifting a restriction that
        # holds now, not a doubt about it.
        return not (r.cue.rule.status == "suspended" and _UNTIL.search(r.sentence, r.cue.end))
    if (
        r.features.tense == "future"
        and r.cue.rule.status == "implemented"
        and not _STARTS_TODAY.search(r.cue_text)
        and not r.day_ahead
        and not r.extends
    ):
        # "flights will be resumed": a plan without a date is not a resumption (a dated one is
        # scheduled); one that starts on the article's own day ("from today") is the start.
        return True
    return r.features.modal in _HEDGING_MODALS and r.features.modal not in r.cue_text


# A call put to one's own national government comes from below it: a province, a party, a lobby.
_HOME_GOVERNMENT = re.compile(r"\b(?:central|union|federal|national) government\b|\bthe cent(?:re|er)\b", re.IGNORECASE)


_A_WORD = re.compile(r"[^\W\d_]{2,}")
# "a forum in the capital", "from Ruritania": a side or a voice named after one of these is a place.
_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|to|near|across|outside|inside)\s+(?:the\s+)?$", re.IGNORECASE)


def _government_calls(r: Reading) -> bool:
    """Whether a call comes from a government: its caller (the words before the call in its
    clause) or its attributed source names a side or a government voice. A call with no
    caller before it is given the benefit of the doubt."""
    voice = r.lexicon.government_voice
    caller = r.sentence[r.clause[0] : r.cue.start]
    if voice is None or not r.sides or not _A_WORD.search(caller):
        return True
    return any(
        not _PLACE_BEFORE.search(text, 0, m.start())
        for pattern in (*r.sides, voice)
        for text in (caller, r.source)
        for m in pattern.finditer(text)
    )


def not_a_party(r: Reading) -> bool:
    """Analysts, industry or editorial writers calling for or agreeing on something: advocacy, not a side.

    So is a call upon one's own national government ("urged the central government to
    open X"): a government's call is put to the other side.
    """
    if r.cue.rule.status not in ACTIONS:
        return False
    if r.cue.rule.status == "proposed" and _HOME_GOVERNMENT.search(
        r.sentence, r.cue.start, max(r.cue.start, r.mention[0])
    ):
        return True
    subject = r.sentence[r.clause[0] : min(r.cue.start, r.mention[0])]
    if r.cue.rule.status in ("proposed", "under_discussion") and r.lexicon.provincial.search(subject):
        # "The chief minister urged the Centre to reopen X": a province's demand is advocacy; so
        # are the concerns it raises ("the chief minister raised concerns over the dam"): it
        # holds no talks with the other side.
        return True
    if r.cue.rule.status == "proposed" and not _government_calls(r):
        # "A shrine's head priest called for reopening the corridor": only the two governments propose.
        return True
    return bool(r.lexicon.non_state.search(subject) or r.lexicon.non_state.search(r.source))


_FORMERLY_WORD = re.compile(r"\b(?:" + "|".join(sorted(_FORMERLY)) + r")\b", re.IGNORECASE)
_RESUMPTION = re.compile(r"\b(?:resum|restor|reopen|reviv|restart|recommenc|relaunch)", re.IGNORECASE)


def _own_clause_start(r: Reading) -> int:
    """Where the cue's own clause begins: a coordinated clause starts afresh ("had been
    suspended since 2020 but resumed on Sunday")."""
    return max([r.clause[0], *(m.end() for m in _COORDINATION.finditer(r.sentence, r.clause[0], r.cue.start))])


_CONTRAST_MARKS = frozenset({"when", "while", "whereas", "though", "although", "as"})


def _earlier_year_in_clause(r: Reading) -> bool:
    """Whether the cue's own clause is dated ("in 2022", "in March 2023") in a year before the article's."""
    start = _own_clause_start(r)
    end = r.sentence.find(",", r.cue.end)
    end = r.clause[1] if end < 0 else min(end, r.clause[1])
    years = (m.group("year_only") or m.group("year") for m in DATED_ANCHOR.finditer(r.sentence, start, end))
    return any(year is not None and int(year) < r.published.year for year in years)


_FIRST_SINCE = re.compile(r"\b(?:the )?first (?:time )?(?:since|in)\b[^,;]*", re.IGNORECASE)
# "nearly five years after the pandemic": the span measures how long it took, it does not date the
# news ("in the months after the clash" does date it).
_ELAPSED = re.compile(
    r"(?<!\bin )(?<!\bin the )(?<!\bwithin )(?<!\bduring the )(?<!\bfor )"
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|many) (?:full )?(?:years|months|weeks|decades)"
    r" (?:after|since)\b[^,;]*",
    re.IGNORECASE,
)
# A quotation dated to an earlier day by its own attribution.
_SAID_THEN = re.compile(
    r"\b(?:said|stated|added|noted|told [\w ]{1,30}?|wrote|announced) (?:at the time|then|back then)\b"
    # "…, the ministry had stated in a release": said on a day before the article's.
    r"|\bhad (?:earlier |previously |also )?(?:said|stated|added|noted|announced|claimed)\b",
    re.IGNORECASE,
)


def retrospective(r: Reading) -> bool:
    """Background told as history: "had agreed in January", "was suspended in 2020 after the clashes".

    A state told in the present ("has been suspended since 2020") is current, whatever it dates.
    """
    if _SAID_THEN.search(r.sentence):
        # "…, the ministry said then": a statement quoted from an earlier day.
        return True
    if r.features is not None and still_holds(r.features):
        return False
    if (
        r.features is not None
        # The parser may leave a bare participle untensed: "when trade reopened in 2006".
        and r.features.tense in ("past", "none")
        and r.features.role == "adverbial"
        and (r.features.mark in _CONTRAST_MARKS or "when" in r.features.adverbs)
        and _earlier_year_in_clause(r)
    ):
        # "When Ruritania resumed its flights in 2022, services to Freedonia stayed shut": a
        # subordinate clause dated in an earlier year sets the scene for the main clause.
        return True
    if (
        r.cue.rule.status == "implemented"
        and _RESUMPTION.search(r.cue.text)
        # The cue's own words count: "even as the yatra had resumed" is past perfect.
        and not r.lexicon.past_perfect.search(r.sentence[_own_clause_start(r) : r.cue.end])
        and not (r.features is not None and set(r.features.adverbs) & _FORMERLY)
        and not _FORMERLY_WORD.search(r.sentence, 0, r.cue.start)
    ):
        # "the resumption of the yatra last month", "which resumed in June": a resumption
        # told in passing still holds unless the text says it stopped (the conventions).
        return False
    if r.features is not None and r.features.tense == "past" and set(r.features.adverbs) & _FORMERLY:
        # "the road to Mount Kailash once began at Dharchula": how it used to be.
        return True
    if r.features is not None and r.features.tense == "past" and r.features.mark in _BACKGROUND_MARKS:
        # "…was seen as progress after the two countries completed the disengagement": the
        # event a past clause is dated by is background to it.
        return True
    sentence, clause, cue, lexicon = r.sentence, r.clause, r.cue, r.lexicon
    if r.features is not None and r.features.tense == "past" and "when" in r.features.adverbs:
        # "tense until March 2023 when the ministers signed a pact": a clause
        # dated by an earlier day named before it is background.
        dated = DATED_WHEN.search(sentence, 0, cue.start)
        # "last summer, when …", "two years ago, when …" name no year and lie before the article.
        if dated and (not dated.group("year") or NamedDay.of(dated).before(r.published)):
            return True
    clause_text = sentence[clause[0] : clause[1]]
    reported = lexicon.reporting.search(sentence[: cue.start])
    tail = sentence[clause[0] : cue.start]
    if _FORWARD.match(cue.text):
        # "will be held during June": a plan, whatever dates it names; but
        # "they had agreed that it would resume" restates an old plan.
        return bool(lexicon.past_perfect.search(tail) and not reported)
    anchors = [m for m in lexicon.past_anchors.finditer(sentence, clause[0], clause[1])] + [
        m for m in DATED_ANCHOR.finditer(sentence, clause[0], clause[1]) if anchor_is_past(m, r.published)
    ]
    # "Pilgrims crossed on Tuesday, a first since the halt of 2020": the span
    # measures how new the news is; it does not date the news.
    firsts = [(m.start(), m.end()) for pattern in (_FIRST_SINCE, _ELAPSED) for m in pattern.finditer(sentence)]
    # A date inside a description dates that description, unless the cue is in it too
    # ("the pact, signed in March 2019, …").
    own_description = inside((cue.start, cue.end), r.descriptions)
    anchored_past = any(
        _anchors_cue(m, cue, sentence)
        and inside((m.start(), m.end()), r.descriptions) in (None, own_description)
        and not inside((m.start(), m.end()), firsts)
        for m in anchors
    )
    # The past perfect may be the cue's own auxiliary ("even as the yatra had resumed").
    if lexicon.past_perfect.search(sentence[clause[0] : cue.end]) and (anchored_past or not reported):
        return True
    present = _PRESENT_AUX.search(tail) or _PRESENT_START.match(cue.text)
    # A past event dated before the article: the clause's predicate is in the
    # past tense ("were suspended in early 2020"), or a noun cue names the
    # event ("the resumption of the yatra in June").
    past_event = _PAST_VERB.match(cue.text) or _PAST_WORD.search(clause_text) or cue.rule.form == "noun"
    return bool(anchored_past and not present and past_event)


def still_not_done(cue: CueMatch, features: grammar.PredicateFeatures | None) -> bool:
    """A resumption denied in the present ("have not resumed", "has not been provided since"): still suspended.

    Only a predicate's own denial: "no date has been set for the resumption of
    X" denies a date, not the resumption, and is no statement.
    """
    if cue.rule.status != "implemented" or cue.rule.form != "verb" or features is None or not features.negated:
        return False
    return features.tense == "present" or (features.aspect == "perfect" and features.tense != "past")


# In order: the first that applies names the reason.
UNITS: tuple[tuple[Reason, Callable[[Reading], bool]], ...] = (
    (Reason.NEGATED, negated),
    (Reason.UNCONFIRMED, unconfirmed),
    (Reason.HEDGED, hedged),
    (Reason.NOT_A_PARTY, not_a_party),
    (Reason.RETROSPECTIVE, retrospective),
)


def cancel_reason(reading: Reading) -> Reason | None:
    """Why the governing cue does not assert a current status here, or None if it does."""
    return next((reason for reason, applies in UNITS if applies(reading)), None)


def _anchors_cue(anchor: re.Match[str], cue: CueMatch, sentence: str) -> bool:
    """Whether a date dates the cue's event rather than another event in the clause."""
    if anchor.start() < cue.start:
        # "In June 2020, Ruritania banned…"; but not "In April they discussed X and
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
        # "The agreement … was announced on October 21": the clause's own verb dates a
        # noun cue; after a verb cue, a later finite verb takes the date ("discussed X
        # and recalled concerns he had raised in July").
        return cue.rule.form == "noun" or bool(re.search(r"\bwhen\b", gap))
    # "agreed to resume flights suspended in 2020": the date belongs to
    # "suspended", the participle right before it.
    last_word = gap.split()[-1] if gap.split() else ""
    return len(gap) <= 80 and not _PAST_WORD.fullmatch(last_word) and not _PARTICIPLE_PHRASE.search(gap)


def still_holds(features: grammar.PredicateFeatures) -> bool:
    """A state told in the present ("has been suspended since 2020") is current, whatever it dates."""
    return (features.aspect in ("perfect", "progressive") and features.tense == "present") or (
        features.date_preposition == "since" and features.aspect != "past-perfect"
    )
