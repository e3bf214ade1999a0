"""The catalogue of tracked commitments and the cue lexicon, both loaded from TOML.

Both are data so that an analyst can add a commitment, a phrase or a cue without
a release; this module only reads and compiles them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from tracker.days import EARLIEST_DAY, LATEST_DAY, Start
from tracker.model import Status
from tracker.resources import data_path

# As plain strings, in the order options and tables list them.
STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
POSITIVE_LADDER: tuple[str, ...] = (
    Status.PROPOSED.value,
    Status.UNDER_DISCUSSION.value,
    Status.AGREED.value,
    Status.IN_PROGRESS.value,
    Status.IMPLEMENTED.value,
)
NEGATIVE_STATUSES: frozenset[str] = frozenset({Status.SUSPENDED.value, Status.STALLED.value})
# The actors every relationship has besides its two sides.
SHARED_ACTORS: tuple[str, ...] = ("both", "other")


class CommitmentKind(StrEnum):
    """What a commitment is: a state that holds over time, or a meeting that is held."""

    # Flights, a pilgrimage, a ban: resumed, lifted or in force.
    STATE = "state"
    # Summits, dialogues, rounds of talks: held (done), scheduled (under way), agreed to hold.
    MEETING = "meeting"


# A commitment whose title names meetings is a meeting commitment unless its catalogue says otherwise.
_MEETING_TITLE = re.compile(r"\b(?:summits?|dialogues?|meetings?|talks|consultations)\b", re.IGNORECASE)

DEFAULT_CATALOGUE = "india-china.toml"
DEFAULT_LEXICON = "cues.toml"


class CatalogueError(ValueError):
    """A catalogue or lexicon file that cannot be used; the message names file and field."""


def compile_phrases(
    phrases: list[str], where: str, flags: int = re.IGNORECASE, joined_by_hyphen: bool = False
) -> re.Pattern[str]:
    """One pattern matching any phrase as whole words.

    Phrases do not match inside a hyphenated word ("non-stop" is not "no");
    names may (`joined_by_hyphen`): "Ruritania-Freedonia talks" names both countries.
    """
    edge = r"\w" if joined_by_hyphen else r"[\w-]"
    try:
        # Longest alternatives first so that "direct air services" wins over "direct air".
        ordered = sorted(phrases, key=len, reverse=True)
        joined = "|".join(f"(?:{_space_or_hyphen(p)})" for p in ordered)
        return re.compile(rf"(?<!{edge})(?:{joined})(?!{edge})", flags)
    except re.error as exc:
        # The phrase at fault, by its place in the file's list, rather than a column of the joined pattern.
        for index, phrase in enumerate(phrases):
            try:
                re.compile(phrase, flags)
            except re.error as alone:
                raise CatalogueError(f"{where}[{index}]: bad pattern {phrase!r}: {alone}"[:300]) from exc
        raise CatalogueError(f"{where}: bad pattern: {exc}") from exc


def _space_or_hyphen(pattern: str) -> str:
    """A phrase's spaces also match a hyphen: reporting writes "Kailash-Mansarovar", "Shipki-La".

    Only spaces outside character classes; an escaped character is left as it is.
    """
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == " " and not in_class:
            out.append("[ -]")
            continue
        out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Commitment:
    id: str
    title: str
    description: str
    phrases: tuple[str, ...]
    pattern: re.Pattern[str] = field(compare=False, repr=False)
    # Named only in this relationship by definition (a pilgrimage across the border, a
    # treaty of the pair): a mention needs no country named near it.
    implies_relationship: bool = False
    # Who holds the restriction when the commitment is suspended or stalled
    # (one side's ban on the other's apps, its export curbs); None when it is shared.
    restricting_side: str | None = None
    # Short names ("the yatra", "patrolling") that name it only once the
    # article has named it in full.
    alias_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    # Common nouns ("flights", "route") that name it when the same sentence
    # names a place or party on each side ("IndiGo's flight to Guangzhou").
    paired_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    # Phrases that name it only in passing when somebody calls for them ("called for
    # de-escalation"): a proposal through one of these is no statement.
    passing_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    # Phrases that name an aim the commitment serves (calm on a border): called for or
    # listed among topics, they make no statement of it.
    aims_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    # Phrases that name it only when a side raises them or calls for something about
    # them (an upstream dam on a shared river): a report of the thing itself is not
    # the commitment, so only a proposal or discussion through them is a statement.
    raised_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    # A meeting is held, not resumed: "held their first summit" says it is done.
    kind: CommitmentKind = CommitmentKind.STATE
    # The phrases of `raised_pattern`, as the file lists them.
    raised: tuple[str, ...] = ()
    # A meeting of the two sides' people ("X met his counterpart Y") names it: the
    # catalogue's `encounters`, by default a meeting of leaders (its title says so), not a
    # ministers' or working-level mechanism with a name of its own.
    encounters: bool = False


@dataclass(frozen=True)
class Side:
    actor: str
    pattern: re.Pattern[str]
    # How digests, pages and the terminal name this side ("Ruritania"); the actor capitalised by default.
    label: str
    # Its government's official sites: they weigh more in corroboration and speak for it.
    official_hosts: tuple[str, ...] = ()
    # Domains every host under which is this government's word (`gov.in`), official or not;
    # a source configured as official under the same country domain is this side's too.
    government_domains: tuple[str, ...] = ()
    # Who speaks for this government in an attribution ("the Ministry of External Affairs said").
    speakers: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @property
    def country_domains(self) -> tuple[str, ...]:
        """The country-code domains of its government's domains (`in` for `gov.in`)."""
        return tuple(dict.fromkeys(d.rsplit(".", 1)[-1] for d in self.government_domains))


def possessive(label: str) -> str:
    """A side's label as the owner of something: "Ruritania's", "the Netherlands'"."""
    return label + ("'" if label.endswith("s") else "'s")


@dataclass(frozen=True)
class Catalogue:
    relationship_id: str
    relationship_title: str
    side_a: Side
    side_b: Side
    others: re.Pattern[str]
    commitments: tuple[Commitment, ...]
    source: str
    # Who puts a commitment into effect without being either government (airlines): actor `other`.
    operators: re.Pattern[str] | None = None
    # The day the relationship began (`since` in the file); dates before it are read as no date.
    since: date = EARLIEST_DAY

    @property
    def start(self) -> Start:
        return Start(self.since, self.relationship_title)

    @property
    def actors(self) -> tuple[str, ...]:
        return (self.side_a.actor, self.side_b.actor, *SHARED_ACTORS)

    @property
    def sides(self) -> tuple[Side, Side]:
        return (self.side_a, self.side_b)

    @property
    def labels(self) -> dict[str, str]:
        """Each side's label by its actor id, side A first."""
        return {side.actor: side.label for side in self.sides}

    @property
    def official_hosts(self) -> tuple[str, ...]:
        """Both governments' official sites: the official domains unless the configuration names its own."""
        return tuple(dict.fromkeys((*self.side_a.official_hosts, *self.side_b.official_hosts)))

    def get(self, commitment_id: str) -> Commitment | None:
        return next((c for c in self.commitments if c.id == commitment_id), None)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.commitments]


def _load_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from exc


def _terms_pattern(terms: list[str], where: str) -> re.Pattern[str]:
    # Names of countries and people are matched case-sensitively: "US" is a
    # country, "us" is not.
    return compile_phrases([re.escape(t) for t in terms], where, flags=0, joined_by_hyphen=True)


# A commitment's id names its page on the site and its rows: a slug, never a path.
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: must be a non-empty string, not {value!r}"[:300])
    return value


def _strings(value: object, where: str, allow_empty: bool = False) -> list[str]:
    """A list of non-empty strings (phrases, patterns, terms)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueError(f"{where}: must be a list of non-empty strings")
    if not value and not allow_empty:
        raise CatalogueError(f"{where}: is empty")
    return value


# A host name as a URL carries it, without scheme, port or path: `mea.gov.in`.
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


def _hosts(value: object, where: str, dotted: bool) -> tuple[str, ...]:
    """Host names or domains, lower-cased; `dotted` ones have at least two labels."""
    if value is None:
        return ()
    names = [name.lower() for name in _strings(value, where, allow_empty=True)]
    for index, name in enumerate(names):
        if not _HOST.fullmatch(name) or (dotted and "." not in name):
            example = "mea.gov.in" if dotted else "gov.in"
            raise CatalogueError(f"{where}[{index}]: {name!r} is not a host name such as {example}"[:300])
    return tuple(names)


def _side(rel: dict, key: str, path: Path) -> Side:
    where = f"{path}: relationship.{key}"
    raw = rel[key]
    if not isinstance(raw, dict):
        raise CatalogueError(f'{where}: must be a table such as {{ actor = "...", terms = [...] }}')
    _known_keys(raw, SIDE_KEYS, f"{where}.")
    actor = _text(raw["actor"], f"{where}.actor")
    if actor in SHARED_ACTORS:
        raise CatalogueError(f"{where}.actor: {actor!r} names no side ({', '.join(SHARED_ACTORS)} are reserved)")
    speakers = _strings(raw.get("speakers", []), f"{where}.speakers", allow_empty=True)
    return Side(
        actor=actor,
        pattern=_terms_pattern(_strings(raw["terms"], f"{where}.terms"), where),
        label=_text(raw.get("label", actor.capitalize()), f"{where}.label"),
        official_hosts=_hosts(raw.get("official_hosts"), f"{where}.official_hosts", dotted=True),
        government_domains=_hosts(raw.get("government_domains"), f"{where}.government_domains", dotted=False),
        # Whole words, case aside: "MEA" said, never "meaning".
        speakers=compile_phrases(speakers, f"{where}.speakers", joined_by_hyphen=True) if speakers else None,
    )


# Every key a catalogue may use, by where it stands: another key is a typing error, refused by name.
CATALOGUE_KEYS = frozenset({"relationship", "commitment"})
RELATIONSHIP_KEYS = frozenset({"id", "title", "since", "others", "operators", "side_a", "side_b"})
SIDE_KEYS = frozenset({"actor", "label", "terms", "official_hosts", "government_domains", "speakers"})
COMMITMENT_KEYS = frozenset(
    {
        *("id", "title", "description", "phrases", "aliases", "paired", "in_passing", "aims", "raised"),
        *("implies_relationship", "restricting_side", "kind", "encounters"),
    }
)


def _known_keys(table: dict, allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise CatalogueError(f"{where}{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})"[:400])


def _weight(value: object, where: str) -> float:
    """A cue's confidence: a number above 0 and at most 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < float(value) <= 1:
        raise CatalogueError(f"{where}: must be a number above 0 and at most 1, not {value!r}"[:300])
    return float(value)


def _actor_field(value: object, where: str, allowed: tuple[str, ...]) -> str | None:
    if value is None or value in allowed:
        return value  # type: ignore[return-value]
    raise CatalogueError(f"{where}: must be one of {', '.join(allowed)}")


def _optional_phrases(item: dict, key: str, where: str) -> re.Pattern[str] | None:
    if item.get(key) in (None, []):
        return None
    return compile_phrases(_strings(item[key], f"{where}.{key}"), f"{where}.{key}")


def _kind_field(item: dict, where: str) -> CommitmentKind:
    value = item.get("kind")
    if value is None:
        return CommitmentKind.MEETING if _MEETING_TITLE.search(str(item.get("title", ""))) else CommitmentKind.STATE
    try:
        return CommitmentKind(value)
    except ValueError:
        allowed = ", ".join(repr(k.value) for k in CommitmentKind)
        raise CatalogueError(f"{where}.kind: must be one of {allowed}, not {value!r}") from None


def _since(value: object, where: str) -> date:
    if value is None:
        return EARLIEST_DAY
    if not isinstance(value, date) or isinstance(value, datetime):
        raise CatalogueError(f"{where}: must be a day such as 1950-04-01 (unquoted), not {value!r}"[:300])
    if value > LATEST_DAY:
        raise CatalogueError(f"{where}: {value.isoformat()} is after {LATEST_DAY.isoformat()}")
    # Before the floor every date is refused anyway: the floor stays the earliest day read.
    return max(value, EARLIEST_DAY)


def load_catalogues(paths: Sequence[Path] = ()) -> tuple[Catalogue, ...]:
    """Every configured catalogue (none: the packaged one); two that claim one relationship are refused."""
    catalogues = tuple(load_catalogue(path) for path in paths) or (load_catalogue(),)
    claimed: dict[str, Catalogue] = {}
    for catalogue in catalogues:
        first = claimed.setdefault(catalogue.relationship_id, catalogue)
        if first is not catalogue:
            raise CatalogueError(
                f"{catalogue.source}: relationship.id: {catalogue.relationship_id!r} is claimed by {first.source} too"
            )
    return catalogues


def load_catalogue(path: Path | None = None) -> Catalogue:
    path = path or data_path(DEFAULT_CATALOGUE)
    raw = _load_toml(path)
    try:
        _known_keys(raw, CATALOGUE_KEYS, f"{path}: ")
        rel = raw["relationship"]
        if not isinstance(rel, dict):
            raise CatalogueError(f"{path}: relationship: must be a table ([relationship])")
        _known_keys(rel, RELATIONSHIP_KEYS, f"{path}: relationship.")
        relationship_id = _text(rel["id"], f"{path}: relationship.id")
        relationship_title = _text(rel.get("title", relationship_id), f"{path}: relationship.title")
        sides = [_side(rel, key, path) for key in ("side_a", "side_b")]
        if sides[0].actor == sides[1].actor:
            raise CatalogueError(f"{path}: relationship.side_b.actor: {sides[1].actor!r} is side_a's actor too")
        others = _terms_pattern(rel.get("others", []) or ["(?!)"], f"{path}: relationship.others")
        operators = _optional_phrases(rel, "operators", f"{path}: relationship")
        # The actors are the relationship's own sides: a catalogue of another pair names its own.
        side_actors = tuple(side.actor for side in sides)
        commitments = []
        seen: set[str] = set()
        if not isinstance(raw["commitment"], list):
            raise CatalogueError(f"{path}: commitment: must be an array of tables ([[commitment]])")
        for index, item in enumerate(raw["commitment"]):
            where = f"{path}: commitment[{index}]"
            if not isinstance(item, dict):
                raise CatalogueError(f"{where}: must be a table")
            _known_keys(item, COMMITMENT_KEYS, f"{where}.")
            cid = _text(item["id"], f"{where}.id")
            if not _SLUG.fullmatch(cid):
                raise CatalogueError(f"{where}.id: {cid!r} must be a slug (lowercase letters, digits, '-' or '_')")
            if cid in seen:
                raise CatalogueError(f"{where}: duplicate id {cid!r}")
            seen.add(cid)
            phrases = tuple(_strings(item["phrases"], f"{where}.phrases"))
            raised = tuple(_strings(item["raised"], f"{where}.raised")) if item.get("raised") else ()
            # Compiled alone first, so that a bad one is named in its own list.
            raised_pattern = _optional_phrases(item, "raised", where)
            commitments.append(
                Commitment(
                    id=cid,
                    title=_text(item["title"], f"{where}.title"),
                    description=str(item.get("description", "")),
                    phrases=phrases,
                    pattern=compile_phrases([*phrases, *raised], f"{where}.phrases"),
                    implies_relationship=bool(item.get("implies_relationship", False)),
                    restricting_side=_actor_field(
                        item.get("restricting_side"), f"{where}.restricting_side", (*side_actors, "both", "other")
                    ),
                    alias_pattern=_optional_phrases(item, "aliases", where),
                    paired_pattern=_optional_phrases(item, "paired", where),
                    passing_pattern=_optional_phrases(item, "in_passing", where),
                    aims_pattern=_optional_phrases(item, "aims", where),
                    raised_pattern=raised_pattern,
                    raised=raised,
                    kind=_kind_field(item, where),
                    encounters=_encounters_field(item, where),
                )
            )
    except KeyError as exc:
        raise CatalogueError(f"{path}: missing field {exc.args[0]!r}") from exc
    return Catalogue(
        since=_since(rel.get("since"), f"{path}: relationship.since"),
        relationship_id=relationship_id,
        relationship_title=relationship_title,
        side_a=sides[0],
        side_b=sides[1],
        others=others,
        operators=operators,
        commitments=tuple(commitments),
        source=str(path),
    )


@dataclass(frozen=True)
class CueRule:
    name: str
    status: str
    weight: float
    form: str  # "verb" or "noun"
    pattern: re.Pattern[str]
    # What the words before the cue must (or must not) name: "remains in force"
    # is a setback said of curbs, and an achievement said of reduced fees.
    subject: re.Pattern[str] | None = None
    not_subject: re.Pattern[str] | None = None
    # The kinds of commitment the cue speaks of ("held" is done only for a meeting); empty: every kind.
    kinds: frozenset[CommitmentKind] = frozenset()
    # A rung an infinitive chain does not climb past: "agreed to promote X" is
    # an agreement to keep working toward X, so X is under discussion.
    ceiling: bool = False
    # Work an agreement promises: under an agreement verb the statement is the
    # agreement ("agreed to finalise the modalities"), elsewhere the work under way.
    promised: bool = False


@dataclass(frozen=True)
class Words:
    """Words the reading of the parse compares with a token's lemma, each set named for its use."""

    steps: frozenset[str]
    talk_verbs: frozenset[str]
    asking_for: frozenset[str]
    asked_about: frozenset[str]
    topic_verbs: frozenset[str]
    topic_subjects: frozenset[str]
    aims: frozenset[str]
    cause_nouns: frozenset[str]
    prospective: frozenset[str]
    restriction_nouns: frozenset[str]
    parts_of_a_meeting: frozenset[str]
    # Nouns of a process whose start is not its end: "disengagement has begun" is under way.
    processes: frozenset[str] = frozenset()


def _words(raw: object, path: Path, packaged: Words | None = None) -> Words:
    """The word sets of a [words] table. A set added to the reader after the table was
    written (one with a default) reads as `packaged` has it."""
    if not isinstance(raw, dict):
        raise CatalogueError(f"{path}: words: must be a table of word lists")
    sets = {}
    for spec in fields(Words):
        if spec.name in raw:
            sets[spec.name] = frozenset(word.lower() for word in _strings(raw[spec.name], f"{path}: words.{spec.name}"))
        elif spec.default is MISSING or packaged is None:
            raise CatalogueError(f"{path}: words: missing field {spec.name!r}")
        else:
            sets[spec.name] = getattr(packaged, spec.name)
    return Words(**sets)


def _packaged_words() -> Words:
    packaged = data_path(DEFAULT_LEXICON)
    return _words(_load_toml(packaged).get("words"), packaged)


@dataclass(frozen=True)
class Lexicon:
    cues: tuple[CueRule, ...]
    negation: re.Pattern[str]
    speculation: re.Pattern[str]
    conditional: re.Pattern[str]
    reporting: re.Pattern[str]
    past_perfect: re.Pattern[str]
    past_anchors: re.Pattern[str]
    non_state: re.Pattern[str]
    commitment_verbs: re.Pattern[str]
    source: str
    words: Words
    # Reports nobody stands behind ("reportedly", "I read that"); optional in the file.
    unconfirmed: re.Pattern[str] = re.compile("(?!)")
    # Unnamed sourcing declared anywhere in the sentence ("…, requesting anonymity"); optional.
    unconfirmed_anywhere: re.Pattern[str] = re.compile("(?!)")
    # Words that scope a release to part of a restriction ("most of", "the first shipment"); optional.
    partial: re.Pattern[str] = re.compile("(?!)")
    # One side's people meeting the other's ("met his counterpart", "held talks with"): the
    # mention of a commitment that `encounters`; optional.
    encounter: re.Pattern[str] = re.compile("(?!)")
    # Sub-national governments ("the chief minister", "a state government"): their calls are
    # advocacy, though their reports of what the two governments did are not; optional.
    provincial: re.Pattern[str] = re.compile("(?!)")
    # Who speaks for a government where a sentence names neither side ("the minister", "the
    # embassy", "he"): a call made by none of these, nor by a side, is advocacy. Optional:
    # without it, any caller counts.
    government_voice: re.Pattern[str] | None = None


def _cue_kinds(value: object, where: str) -> frozenset[CommitmentKind]:
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: must be a list of commitment kinds")
    try:
        return frozenset(CommitmentKind(v) for v in value)
    except ValueError:
        allowed = ", ".join(repr(k.value) for k in CommitmentKind)
        raise CatalogueError(f"{where}: each must be one of {allowed}") from None


# What a meeting of leaders is called in a commitment's own title.
_LEADERS = re.compile(
    r"\b(?:leaders?'?|summits?|prime ministers?'?|presidents?'?|heads? of (?:state|government)|state visits?)\b",
    re.IGNORECASE,
)


def _encounters_field(item: dict[str, object], where: str) -> bool:
    if "encounters" in item:
        return _flag(item["encounters"], f"{where}.encounters")
    # The title, not the description: a ministers' dialogue may say what leaders decided about it.
    return _kind_field(item, where) is CommitmentKind.MEETING and bool(_LEADERS.search(str(item.get("title", ""))))


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise CatalogueError(f"{where}: must be true or false, not {value!r}")
    return value


def load_lexicon(path: Path | None = None) -> Lexicon:
    path = path or data_path(DEFAULT_LEXICON)
    raw = _load_toml(path)
    cues = []
    try:
        for index, item in enumerate(raw["cue"]):
            where = f"{path}: cue[{index}]"
            if not isinstance(item, dict):
                raise CatalogueError(f"{where}: must be a table")
            _text(item["name"], f"{where}.name")
            if item["status"] not in STATUSES:
                raise CatalogueError(f"{where}: unknown status {item['status']!r}")
            form = item.get("form", "verb")
            if form not in ("verb", "noun"):
                raise CatalogueError(f"{where}: form must be 'verb' or 'noun', not {form!r}")
            cues.append(
                CueRule(
                    name=item["name"],
                    status=item["status"],
                    weight=_weight(item.get("weight", 0.8), f"{where}.weight"),
                    form=form,
                    pattern=compile_phrases(_strings(item["patterns"], f"{where}.patterns"), f"{where}.patterns"),
                    subject=compile_phrases(item["subject"], f"{where}.subject") if item.get("subject") else None,
                    not_subject=(
                        compile_phrases(item["not_subject"], f"{where}.not_subject")
                        if item.get("not_subject")
                        else None
                    ),
                    kinds=_cue_kinds(item.get("kinds", []), f"{where}.kinds"),
                    ceiling=_flag(item.get("ceiling", False), f"{where}.ceiling"),
                    promised=_flag(item.get("promised", False), f"{where}.promised"),
                )
            )
        mods = raw["modifiers"]
        compiled = {
            key: compile_phrases(_strings(mods[key], f"{path}: modifiers.{key}"), f"{path}: modifiers.{key}")
            for key in (
                "negation",
                "speculation",
                "conditional",
                "reporting",
                "past_perfect",
                "past_anchors",
                "non_state",
                "commitment_verbs",
            )
        }
        for key in ("unconfirmed", "unconfirmed_anywhere", "partial", "encounter", "provincial", "government_voice"):
            if mods.get(key):
                where = f"{path}: modifiers.{key}"
                compiled[key] = compile_phrases(_strings(mods[key], where), where)
    except KeyError as exc:
        raise CatalogueError(f"{path}: missing field {exc.args[0]!r}") from exc
    if "words" in raw:
        words = _words(raw["words"], path, None if path == data_path(DEFAULT_LEXICON) else _packaged_words())
    else:
        # A lexicon written before the word sets were data reads with the packaged ones.
        words = _packaged_words()
    return Lexicon(cues=tuple(cues), source=str(path), words=words, **compiled)
