"""A reproducible corpus of wire-style news for the archive-scale benchmarks.

`Corpus(seed)` yields `GeneratedArticle`s: ~500-word reports dated over
consecutive days, each mixing up to three sentences that state a commitment's
status (with the label an analyst would give them), background paragraphs
that name no commitment, and unrelated news (sports, weather, markets). About
30% of articles name a commitment. Every random choice comes from one
`random.Random(seed)`: the same seed gives the same articles and byte-identical
feed files.

Each commitment's "true" status walks over the days (every status of the
vocabulary is visited); most sentences state that status, some another one, as
outlets disagree and lag. Run as a script to write feed files:

    .venv/bin/python bench/corpus.py --articles 500 --out feeds/
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

STATUSES = ("suspended", "proposed", "under_discussion", "agreed", "in_progress", "implemented", "stalled")

# Outlets: (name, host, feed format). None of them is an official source.
OUTLETS = (
    ("Northern Wire", "northern-wire.example", "rss"),
    ("Capital Desk", "capital-desk.example", "atom"),
    ("Asia Ledger", "asia-ledger.example", "rss"),
    ("Plains Herald", "plains-herald.example", "rss"),
    ("Harbour Times", "harbour-times.example", "atom"),
    ("Frontier Post Daily", "frontier-post.example", "rss"),
)
AUTHORS = ("Meera Rao", "Arjun Sen", "Li Wen", "Zhao Min", "Priya Nair", "Rohan Gupta", "Chen Hui", "Staff reporter")
MONTHS = ("January", "March", "April", "June", "August", "October", "November")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Label:
    """What an analyst reads in one commitment sentence."""

    commitment_id: str
    status: str
    actor: str
    sentence: str
    sentence_index: int
    confidence: float
    attribution: str


@dataclass(frozen=True)
class GeneratedArticle:
    index: int
    guid: str
    link: str
    title: str
    published: date
    outlet: str
    author: str
    paragraphs: tuple[str, ...]
    labels: tuple[Label, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


# --- commitment sentences ---------------------------------------------------------
#
# Each commitment has noun phrases (text, plural) that the catalogue's phrases
# name; each status has templates over {np}, with {be}/{have}/{remain} agreeing
# with the phrase, {day} a weekday, {who} an attribution and {city} a venue.

NOUNS: dict[str, tuple[tuple[str, bool], ...]] = {
    "air-services": (
        ("direct flights between India and China", True),
        ("direct air services between the two countries", True),
        ("direct passenger flights between India and China", True),
    ),
    "kailash-yatra": (
        ("the Kailash Mansarovar Yatra", False),
        ("the Kailash Mansarovar pilgrimage", False),
    ),
    "supply-chains": (
        ("Chinese exports of rare earth magnets to India", True),
        ("fertiliser shipments from China to India", True),
        ("supplies of rare earth minerals to Indian manufacturers", True),
    ),
    "visas": (
        ("tourist visas for Chinese nationals", True),
        ("business visas between India and China", True),
    ),
    "border-trade": (
        ("border trade through the Lipulekh, Shipki La and Nathu La passes", False),
        ("border trade between India and China", False),
    ),
    "trans-border-rivers": (
        ("hydrological data sharing on trans-border rivers", False),
        ("the expert-level mechanism on trans-border rivers", False),
    ),
    "lac-border": (
        ("disengagement along the Line of Actual Control", False),
        ("patrolling arrangements along the Line of Actual Control", True),
    ),
    "media-exchanges": (
        ("exchanges between media and think tanks of the two countries", True),
        ("media exchanges between India and China", True),
    ),
    "chinese-apps": (("Chinese apps such as TikTok", True), ("Chinese mobile apps", True)),
}
COMMITMENTS = tuple(NOUNS)

# (template, actor): actor "india"/"china" is the side that speaks or acts.
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "suspended": (
        ("{NP} {have} been suspended since 2020, {who} said on {day}.", "both"),
        ("{NP} {remain} suspended, {who} told reporters in {city} on {day}.", "both"),
        ("Restrictions on {np} remain in force, {who} said.", "both"),
        ("{NP} {have} been halted since 2020 and {have} still not resumed, {who} said on {day}.", "both"),
    ),
    "proposed": (
        ("China has called for the resumption of {np}, {chinese} said in Beijing on {day}.", "china"),
        ("India has expressed interest in resuming {np}, {indian} said on {day}.", "india"),
        ("Beijing has proposed restoring {np}, {chinese} told a regular briefing on {day}.", "china"),
    ),
    "under_discussion": (
        ("Officials of the two sides discussed {np} at a meeting in {city} on {day}, {who} said.", "both"),
        ("India and China are willing to discuss {np}, {who} said after talks in {city}.", "both"),
        ("The two delegations exchanged views on {np} during the talks on {day}, {who} said.", "both"),
    ),
    "agreed": (
        ("India and China have agreed in principle to resume {np}, {who} said in a statement on {day}.", "both"),
        ("The two sides decided to restore {np}, according to a statement issued in {city} on {day}.", "both"),
        ("India and China reached consensus on resuming {np} at the talks in {city}, {who} said.", "both"),
    ),
    "in_progress": (
        ("The two sides agreed to expedite the resumption of {np}, {who} said on {day}.", "both"),
        ("Technical teams of the two countries are finalising the modalities for {np}, {who} said.", "both"),
        ("Only operational details remain before {np} can restart, {who} said on {day}.", "both"),
        ("{NP} {be} set to resume on {date}, {who} announced in {city}.", "both"),
    ),
    "implemented": (
        ("{NP} resumed on {day} for the first time since 2020, {who} said.", "both"),
        ("{NP} {be} in operation again after resuming last month, {who} said on {day}.", "both"),
        ("{NP} {have} been restored, {who} confirmed in {city} on {day}.", "both"),
    ),
    "stalled": (
        ("Talks on {np} remain stalled, {who} said on {day}.", "both"),
        ("{NP} {have} been postponed indefinitely, {who} said in {city} on {day}.", "both"),
        ("There has been no progress on {np} since the last round of talks, {who} said on {day}.", "both"),
    ),
}
WHO = (
    ("a spokesperson for the Ministry of External Affairs", "the Ministry of External Affairs"),
    ("officials in New Delhi", "officials in New Delhi"),
    ("China's foreign ministry", "China's foreign ministry"),
    ("a senior Indian official", "a senior Indian official"),
    ("diplomats familiar with the talks", "diplomats familiar with the talks"),
)
INDIAN = ("an Indian foreign ministry spokesperson", "India's foreign secretary")
CHINESE = ("a Chinese foreign ministry spokesperson", "China's ambassador in New Delhi")
CITIES = ("New Delhi", "Beijing", "Kunming", "Chengdu", "Kolkata")


# --- background and unrelated news (no commitment named) ---------------------------

BACKGROUND = (
    "Relations between the two neighbours fell to their lowest point in decades after a deadly clash in the "
    "Galwan Valley in June 2020, in which soldiers on both sides were killed.",
    "The two countries fought a brief war in 1962 and have held dozens of rounds of talks since then to manage "
    "their differences.",
    "Leaders of the two countries met on the sidelines of a summit in {place} in {year}, their first formal "
    "meeting in several years.",
    "Trade between the two economies has grown steadily over the past decade, with India running a large "
    "deficit in goods.",
    "Analysts in {place} say the thaw reflects a wider recalculation in both capitals after years of tension.",
    "Both governments marked the 75th anniversary of diplomatic ties in 2025 with a series of cultural events.",
    "The foreign ministers have met several times this year at regional gatherings in {place}.",
    "Officials on both sides describe the relationship as complex, with cooperation in some areas and rivalry "
    "in others.",
    "Business groups in {place} have long pressed for steadier ties between the two largest economies in Asia.",
    "The {year} summit in {place} was followed by a flurry of visits by officials from both capitals.",
)
PLACES = ("Kazan", "Johannesburg", "Tianjin", "Bali", "Samarkand", "Astana", "Rio de Janeiro")
SPORTS = (
    "In cricket, {team} beat {team2} by {n} runs in {city2} on {day}, with the opener scoring a brisk century.",
    "The {team} captain said the side would rest two bowlers before the next match of the series.",
    "Organisers said ticket sales for the final in {city2} had passed {n} thousand.",
    "In football, {club} came from behind to draw {a}-{a} with {club2} in a league match on {day}.",
    "The national hockey team named an unchanged squad for next month's tournament in {city2}.",
    "A crowd of about {n} thousand watched the match, which was delayed by an hour by rain.",
)
WEATHER = (
    "The weather office forecast heavy rain over {region} for the next {a} days and issued an orange alert.",
    "Temperatures in {city2} rose to {t} degrees Celsius on {day}, several degrees above normal for the season.",
    "The monsoon is expected to reach {region} within a week, the meteorological department said.",
    "Fog reduced visibility to under {n} metres in parts of {region} early on {day}.",
    "Farmers in {region} welcomed the showers after a dry spell that had delayed sowing.",
)
MARKETS = (
    "The Sensex closed {a}.{b} percent {updown} on {day}, led by banking and technology shares.",
    "The rupee ended at {rupee}.{b}{a} against the dollar, {updown} from its previous close.",
    "Gold prices in {city2} rose to a record on {day} as investors sought safety.",
    "Crude oil futures were {updown} {a}.{b} percent in early Asian trade.",
    "Shares of {company} jumped {n} percent after the company reported higher quarterly profit.",
    "Foreign investors were net buyers of Indian equities for {a} sessions in a row, exchange data showed.",
)
TEAMS = ("Mumbai", "Chennai", "Punjab", "Rajasthan", "Delhi", "Gujarat")
CLUBS = ("Mohun Bagan", "East Bengal", "Bengaluru FC", "Kerala Blasters", "Odisha FC")
REGIONS = ("Kerala", "Rajasthan", "coastal Karnataka", "the northern plains", "Odisha", "Vidarbha")
CITIES2 = ("Pune", "Jaipur", "Lucknow", "Nagpur", "Indore", "Kochi", "Ahmedabad")
COMPANIES = ("a large carmaker", "a software exporter", "a steel producer", "a private lender", "a cement maker")
TOPICS = ("Asian Games", "monsoon", "markets", "budget", "cricket")


class Corpus:
    """A seeded stream of articles, `per_day` to a day from `start`."""

    def __init__(self, seed: int, start: date = date(2024, 1, 1), per_day: int = 500, share: float = 0.3) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.start = start
        self.per_day = per_day
        self.share = share
        # Each commitment's status walks over the days (one walk per corpus).
        self.truth = {cid: self.rng.choice(STATUSES) for cid in COMMITMENTS}
        self._day = -1

    def _advance(self, day: int) -> None:
        while self._day < day:
            self._day += 1
            for cid in COMMITMENTS:
                if self.rng.random() < 0.08:
                    self.truth[cid] = self.rng.choice([s for s in STATUSES if s != self.truth[cid]])

    def articles(self, count: int, first: int = 0) -> Iterator[GeneratedArticle]:
        """`count` articles, numbered from `first` (numbers and dates follow on across calls)."""
        for index in range(first, first + count):
            day = index // self.per_day
            self._advance(day)
            yield self._article(index, self.start + timedelta(days=day))

    # --- one article ---------------------------------------------------------------

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            place=r.choice(PLACES),
            year=r.choice((2019, 2023, 2024, 2025)),
            team=r.choice(TEAMS),
            team2=r.choice(TEAMS),
            club=r.choice(CLUBS),
            club2=r.choice(CLUBS),
            city2=r.choice(CITIES2),
            region=r.choice(REGIONS),
            company=r.choice(COMPANIES),
            day=r.choice(WEEKDAYS),
            n=r.randint(2, 90),
            a=r.randint(1, 9),
            b=r.randint(0, 9),
            t=r.randint(31, 46),
            rupee=r.randint(82, 89),
            updown=r.choice(("higher", "lower")),
        )

    def _statement(self, cid: str) -> tuple[str, str, str, str]:
        """(sentence, status, actor, attribution) for one commitment."""
        r = self.rng
        status = self.truth[cid] if r.random() < 0.85 else r.choice(STATUSES)
        np, plural = r.choice(NOUNS[cid])
        template, actor = r.choice(TEMPLATES[status])
        who, attribution = r.choice(WHO)
        if "{indian}" in template:
            who = attribution = r.choice(INDIAN)
        if "{chinese}" in template:
            who = attribution = r.choice(CHINESE)
        sentence = template.format(
            NP=np[0].upper() + np[1:],
            np=np,
            be="are" if plural else "is",
            have="have" if plural else "has",
            remain="remain" if plural else "remains",
            who=who,
            indian=who,
            chinese=who,
            day=r.choice(WEEKDAYS),
            city=r.choice(CITIES),
            date=f"{r.randint(1, 28)} {r.choice(MONTHS)}",
        )
        return sentence, status, actor, attribution

    def _paragraph(self, pool: Sequence[str], sentences: int) -> list[str]:
        return [self._fill(t) for t in self.rng.sample(pool, min(sentences, len(pool)))]

    def _article(self, index: int, published: date) -> GeneratedArticle:
        r = self.rng
        outlet, host, _ = OUTLETS[index % len(OUTLETS)]
        dateline = f"{r.choice(CITIES).upper()}, {published:%B} {published.day} ({outlet})"
        statements: list[tuple[str, str, str, str, str]] = []
        if r.random() < self.share:
            for cid in r.sample(COMMITMENTS, r.choice((1, 1, 2, 3))):
                statements.append((cid, *self._statement(cid)))
        paragraphs: list[list[str]] = []
        if statements:
            first = statements[0]
            paragraphs.append([f"{dateline} - {first[1]}"])
            for s in statements[1:]:
                paragraphs.append([s[1]])
            title = f"India and China: a diplomatic roundup for {published:%d %B %Y} (no. {index})"
        else:
            topic = r.choice(TOPICS)
            title = f"{topic.capitalize()} roundup, {published:%d %B %Y} (no. {index})"
            paragraphs.append([f"{dateline} - " + self._fill(r.choice(MARKETS + WEATHER + SPORTS))])
        background = self._paragraph(BACKGROUND, 3)
        paragraphs.append(background)
        # Unrelated news fills the report to about 500 words.
        while sum(len(s.split()) for p in paragraphs for s in p) < 480:
            pool = r.choice((SPORTS, WEATHER, MARKETS))
            paragraphs.append(self._paragraph(pool, r.randint(2, 4)))
        # Sentence numbers as a reader counts them, over the whole text.
        labels: list[Label] = []
        count = 0
        evidence = {s[1]: s for s in statements}
        for paragraph in paragraphs:
            for sentence in paragraph:
                text = sentence.removeprefix(f"{dateline} - ")
                if text in evidence:
                    cid, _, status, actor, attribution = evidence[text]
                    confidence = round(r.uniform(0.55, 0.95), 2)
                    labels.append(Label(cid, status, actor, text, count, confidence, attribution))
                count += 1
        slug = "diplomacy" if statements else "news"
        return GeneratedArticle(
            index=index,
            guid=f"urn:bench:{self.seed}:{index}",
            link=f"https://{host}/{published:%Y/%m/%d}/{slug}-{self.seed}-{index}",
            title=title,
            published=published,
            outlet=outlet,
            author=r.choice(AUTHORS),
            paragraphs=tuple(" ".join(p) for p in paragraphs),
            labels=tuple(labels),
        )


# --- feed files --------------------------------------------------------------------


def _html(article: GeneratedArticle) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)


def render_feed(articles: Sequence[GeneratedArticle], fmt: str, title: str, host: str) -> bytes:
    """One RSS 2.0 or Atom document holding `articles` (dates at noon UTC)."""
    if fmt == "atom":
        items = "".join(
            "<entry>"
            f"<id>{escape(a.guid)}</id><title>{escape(a.title)}</title>"
            f'<link rel="alternate" href="{escape(a.link)}"/>'
            f"<published>{a.published.isoformat()}T12:00:00Z</published>"
            f"<updated>{a.published.isoformat()}T12:00:00Z</updated>"
            f"<author><name>{escape(a.author)}</name></author>"
            f'<content type="html">{escape(_html(a))}</content>'
            "</entry>\n"
            for a in articles
        )
        latest = max(a.published for a in articles).isoformat()
        doc = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>https://{host}/</id>"
            f"<updated>{latest}T12:00:00Z</updated>\n{items}</feed>\n"
        )
    else:
        items = "".join(
            "<item>"
            f'<guid isPermaLink="false">{escape(a.guid)}</guid><title>{escape(a.title)}</title>'
            f"<link>{escape(a.link)}</link>"
            f"<pubDate>{a.published:%a, %d %b %Y} 12:00:00 +0000</pubDate>"
            f"<dc:creator>{escape(a.author)}</dc:creator>"
            f"<content:encoded>{escape(_html(a))}</content:encoded>"
            "</item>\n"
            for a in articles
        )
        doc = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{escape(title)}</title><link>https://{host}/</link>"
            f"<description>{escape(title)} news</description>\n{items}</channel></rss>\n"
        )
    return doc.encode("utf-8")


def write_feeds(articles: Iterator[GeneratedArticle], out: Path, per_feed: int = 50) -> list[Path]:
    """Feed files of up to `per_feed` articles each, one outlet and day to a file; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pending: dict[tuple[str, date], list[GeneratedArticle]] = {}

    def flush(key: tuple[str, date]) -> None:
        batch = pending.pop(key)
        name, host, fmt = next(o for o in OUTLETS if o[0] == key[0])
        part = sum(1 for p in written if p.name.startswith(f"{key[1]}-{host}"))
        path = out / f"{key[1]}-{host}-{part:03d}.{'atom' if fmt == 'atom' else 'xml'}"
        path.write_bytes(render_feed(batch, fmt, name, host))
        written.append(path)

    for article in articles:
        key = (article.outlet, article.published)
        for other in [k for k in pending if k[1] != article.published]:
            flush(other)
        pending.setdefault(key, []).append(article)
        if len(pending[key]) >= per_feed:
            flush(key)
    for key in list(pending):
        flush(key)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description="Write generated feed files.")
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1))
    parser.add_argument("--per-day", type=int, default=500)
    parser.add_argument("--per-feed", type=int, default=50)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    corpus = Corpus(args.seed, args.start, args.per_day)
    paths = write_feeds(corpus.articles(args.articles), args.out, args.per_feed)
    print(f"{len(paths)} feed files, {args.articles} articles, in {args.out}")


if __name__ == "__main__":
    main()
