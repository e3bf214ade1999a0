"""Evaluation: loading a labelled corpus, scoring, and the `eval` command, on small corpora written here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.catalogue import Catalogue
from tracker.cli import main
from tracker.config import CONFIG_ENV, ENV_KEYS, Config
from tracker.evaluation import (
    NONE,
    CorpusArticle,
    Evaluation,
    Figures,
    GoldStatement,
    PredictedStatement,
    RejectedStatement,
    evaluate,
    evaluate_folds,
    format_held_out,
    format_report,
    gold_timeline,
    load_corpus,
    same_sentence,
    score_changes,
    score_final,
    score_statements,
    stories,
    story_folds,
    within,
)
from tracker.model import StatusChange
from tracker.sources import SourceError

DEV_CORPUS = Path(__file__).parent / "corpus"

# A small corpus: (title, paragraphs) by article id. Besides the statements
# labelled below, it holds a negated sentence ("No decision has been taken on
# direct flights"), a speculative one ("could resume"), another relationship
# (Nepal–China flights) and two retrospective mentions: none of them is a statement.
ARTICLES: dict[str, tuple[str, list[str]]] = {
    "2025-01-27-wire-yatra-agreed": (
        "India and China agree to resume the yatra",
        [
            "NEW DELHI: India and China agreed on Monday to resume the Kailash Mansarovar Yatra this summer.",
            "No decision has been taken on direct flights between the two countries, officials said.",
            "China has called for the early resumption of direct air services with India.",
            "India and China agreed in principle to resume border trade.",
        ],
    ),
    "2025-03-10-paper-rivers-talks": (
        "India and China discuss trans-border rivers",
        [
            "Nepal and China agreed to resume direct flights between Kathmandu and Lhasa next month.",
            "Direct flights between India and China could resume later this year, analysts said.",
            "India and China discussed the resumption of hydrological data sharing on trans-border rivers on Monday.",
        ],
    ),
    "2025-06-21-daily-yatra-resumes": (
        "Kailash Mansarovar Yatra resumes after five years",
        [
            "The Kailash Mansarovar Yatra resumed on Saturday as the first batch of Indian pilgrims crossed into "
            "Tibet through Nathu La.",
            "India and China are discussing cooperation on trans-border rivers, officials said.",
            "The two sides had agreed in January to resume the Kailash Mansarovar Yatra.",
        ],
    ),
    "2025-07-21-desk-talks-stalled": (
        "India-China talks stall",
        [
            "Talks between India and China on resuming direct flights remain stalled, officials said on Monday.",
            # Stalled by the domain's own wording ("talks remain stalled"), not
            # under discussion for the noun "talks on".
            "India–China talks on border trade remain stalled, officials said.",
            "Direct flights between India and China were suspended in early 2020 after the Covid outbreak.",
        ],
    ),
}


def statement(commitment: str, status: str, actor: str, evidence: str) -> dict:
    return {"commitment": commitment, "status": status, "actor": actor, "evidence": evidence}


LABELS: list[dict] = [
    {
        "id": "2025-01-27-wire-yatra-agreed",
        "date": "2025-01-27",
        "url": "https://wire.example.org/2025/01/27/yatra",
        "source": "Example Wire",
        "statements": [
            # The dateline ("NEW DELHI:") is left out of the label on purpose.
            statement(
                "kailash-yatra",
                "agreed",
                "both",
                "India and China agreed on Monday to resume the Kailash Mansarovar Yatra this summer.",
            ),
            statement(
                "air-services",
                "proposed",
                "china",
                "China has called for the early resumption of direct air services with India.",
            ),
            statement("border-trade", "agreed", "both", "India and China agreed in principle to resume border trade."),
        ],
    },
    {
        "id": "2025-03-10-paper-rivers-talks",
        "date": "2025-03-10",
        "title": "Rivers on the agenda",
        "statements": [
            statement(
                "trans-border-rivers",
                "under_discussion",
                "both",
                "India and China discussed the resumption of hydrological data sharing on trans-border rivers on "
                "Monday.",
            ),
        ],
    },
    {
        "id": "2025-06-21-daily-yatra-resumes",
        "date": "2025-06-21",
        "statements": [
            statement(
                "kailash-yatra",
                "implemented",
                "both",
                "The Kailash Mansarovar Yatra resumed on Saturday as the first batch of Indian pilgrims crossed "
                "into Tibet through Nathu La.",
            ),
            # A reaffirmation: no change.
            {
                "commitment": "trans-border-rivers",
                "status": "under_discussion",
                "evidence": "India and China are discussing cooperation on trans-border rivers, officials said.",
            },
        ],
    },
    {
        "id": "2025-07-21-desk-talks-stalled",
        "date": "2025-07-21",
        "statements": [
            statement(
                "air-services",
                "stalled",
                "both",
                "Talks between India and China on resuming direct flights remain stalled, officials said on Monday.",
            ),
            statement(
                "border-trade", "stalled", "both", "India–China talks on border trade remain stalled, officials said."
            ),
        ],
    },
]


def write_corpus(
    root: Path, labels: list | dict | None = None, articles: dict[str, tuple[str, list[str]]] | None = None
) -> Path:
    """A corpus folder: articles/<id>.txt (title, blank line, paragraphs) and labels.json."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    for article_id, (title, paragraphs) in (ARTICLES if articles is None else articles).items():
        text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
        (root / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
    (root / "labels.json").write_text(json.dumps(LABELS if labels is None else labels, indent=2), encoding="utf-8")
    return root


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture(scope="module")
def small_result(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Evaluation:
    root = write_corpus(tmp_path_factory.mktemp("small") / "corpus")
    return evaluate(load_corpus(root, catalogue), catalogue, Config())


# --- loading ------------------------------------------------------------------------


def test_load_corpus_reads_articles_and_labels(small_corpus: Path, catalogue: Catalogue) -> None:
    corpus = load_corpus(small_corpus, catalogue)
    assert [a.id for a in corpus] == list(ARTICLES)
    first, second, third, _ = corpus
    assert first.date == date(2025, 1, 27)
    assert (first.url, first.source) == ("https://wire.example.org/2025/01/27/yatra", "Example Wire")
    # The title comes from the file unless the label gives one.
    assert first.title == "India and China agree to resume the yatra"
    assert second.title == "Rivers on the agenda"
    assert (second.url, second.source) == ("corpus:2025-03-10-paper-rivers-talks", "corpus")
    assert first.text.startswith("NEW DELHI: India and China agreed")
    assert "India and China agree to resume the yatra" not in first.text
    assert [(s.commitment, s.status, s.actor) for s in first.statements] == [
        ("kailash-yatra", "agreed", "both"),
        ("air-services", "proposed", "china"),
        ("border-trade", "agreed", "both"),
    ]
    # An actor left out is "both".
    assert third.statements[1] == GoldStatement(
        "trans-border-rivers",
        "under_discussion",
        "both",
        "India and China are discussing cooperation on trans-border rivers, officials said.",
    )


def test_load_corpus_sorts_by_date_then_id(tmp_path: Path, catalogue: Catalogue) -> None:
    labels = [
        {"id": "c", "date": "2025-02-01", "statements": []},
        {"id": "b", "date": "2025-01-01", "statements": []},
        {"id": "a", "date": "2025-02-01", "statements": []},
    ]
    articles = {name: ("Title", ["India and China met."]) for name in "abc"}
    corpus = load_corpus(write_corpus(tmp_path, labels, articles), catalogue)
    assert [a.id for a in corpus] == ["b", "a", "c"]


def first_statement_with(**patch: object) -> list:
    """The small corpus's labels with fields of the first article's first statement replaced."""
    labels = json.loads(json.dumps(LABELS))
    labels[0]["statements"][0].update(patch)
    return labels


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (first_statement_with(status="signed"), "[0].statements[0].status: unknown status 'signed'"),
        (first_statement_with(commitment="moon-base"), "[0].statements[0].commitment: unknown commitment 'moon-base'"),
        (first_statement_with(actor="nepal"), "[0].statements[0].actor: unknown actor 'nepal'"),
        ({"articles": LABELS}, "labels.json: must be a list of articles"),
        ([*LABELS[:1], "2025-03-10-paper-rivers-talks"], "[1]: must be an object"),
        ([{"id": "2025-01-27-wire-yatra-agreed", "statements": []}], "[0]: missing field 'date'"),
        ([{"id": "2025-01-27-wire-yatra-agreed", "date": "27/01/2025", "statements": []}], "[0].date: "),
        ([{"id": "2025-01-27-wire-yatra-agreed", "date": 20250127, "statements": []}], "[0].date: must be"),
        ([{"id": "2025-01-27-wire-yatra-agreed", "date": "2025-01-27"}], "[0]: missing field 'statements'"),
        (
            [{"id": "2025-01-27-wire-yatra-agreed", "date": "2025-01-27", "statements": {"status": "agreed"}}],
            "[0].statements: must be a list",
        ),
        (
            [{"id": "2025-01-27-wire-yatra-agreed", "date": "2025-01-27", "statements": [{"status": "agreed"}]}],
            "[0].statements[0]: missing field 'commitment'",
        ),
        (
            [
                {
                    "id": "2025-01-27-wire-yatra-agreed",
                    "date": "2025-01-27",
                    "statements": [{"commitment": "visas", "status": "agreed"}],
                }
            ],
            "[0].statements[0]: missing field 'evidence'",
        ),
        ([LABELS[0], LABELS[1], LABELS[0]], "[2].id: '2025-01-27-wire-yatra-agreed' is also the id of [0]"),
        (
            [LABELS[0], {**LABELS[1], "url": LABELS[0]["url"]}],
            "[1].url: 'https://wire.example.org/2025/01/27/yatra' is also the url of [0]",
        ),
    ],
    ids=[
        "unknown-status",
        "unknown-commitment",
        "unknown-actor",
        "not-a-list",
        "item-not-an-object",
        "missing-date",
        "bad-date",
        "date-not-a-string",
        "missing-statements",
        "statements-not-a-list",
        "statement-without-commitment",
        "statement-without-evidence",
        "duplicate-id",
        "duplicate-url",
    ],
)
def test_bad_labels_are_one_line_errors_naming_the_field(
    tmp_path: Path, catalogue: Catalogue, labels: list | dict, expected: str
) -> None:
    root = write_corpus(tmp_path / "corpus", labels)
    with pytest.raises(SourceError) as caught:
        load_corpus(root, catalogue)
    message = str(caught.value)
    assert expected in message
    assert str(root / "labels.json") in message
    assert "\n" not in message


def test_a_missing_article_file_is_named(small_corpus: Path, catalogue: Catalogue) -> None:
    missing = small_corpus / "articles" / "2025-06-21-daily-yatra-resumes.txt"
    missing.unlink()
    with pytest.raises(SourceError) as caught:
        load_corpus(small_corpus, catalogue)
    message = str(caught.value)
    assert message.startswith(f"{missing}: cannot read")
    assert "\n" not in message


def test_an_article_that_is_not_utf8_is_named(small_corpus: Path, catalogue: Catalogue) -> None:
    bad = small_corpus / "articles" / "2025-03-10-paper-rivers-talks.txt"
    bad.write_bytes(b"India and China \xff\xfe talks\n\nRivers \x80 data.\n")
    with pytest.raises(SourceError, match="UTF-8") as caught:
        load_corpus(small_corpus, catalogue)
    assert str(caught.value).startswith(f"{bad}: ")


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b'[{"id": "caf\xe9"}]', "not UTF-8"), (b'[{"id": ', "not valid JSON"), (None, "cannot read")],
    ids=["not-utf8", "not-json", "missing"],
)
def test_an_unreadable_labels_file_is_one_line(
    tmp_path: Path, catalogue: Catalogue, content: bytes | None, expected: str
) -> None:
    root = write_corpus(tmp_path / "corpus")
    labels = root / "labels.json"
    if content is None:
        labels.unlink()
    else:
        labels.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        load_corpus(root, catalogue)
    message = str(caught.value)
    assert message.startswith(f"{labels}: {expected}")
    assert "\n" not in message


# --- matching and scoring --------------------------------------------------------------


def test_same_sentence_tolerates_a_dateline_prefix() -> None:
    label = "India and China have agreed on arrangements for patrolling along their disputed Himalayan frontier."
    assert same_sentence(f"NEW DELHI, Oct 21 (Reuters) - {label}", label)
    assert same_sentence(label, f"BEIJING: {label}")
    assert same_sentence(label.replace(".", ""), label)


def test_same_sentence_tells_different_sentences_apart() -> None:
    assert not same_sentence(
        "India and China agreed in principle to resume direct air services.",
        "Talks between India and China on resuming direct flights remain stalled.",
    )
    assert not same_sentence("", "India and China agreed.")
    assert not same_sentence("...", "...")


def predicted(article_id: str, commitment: str, status: str, evidence: str, actor: str = "both") -> PredictedStatement:
    return PredictedStatement(article_id, commitment, status, actor, evidence, f"rule-{status}")


AGREED = "India and China agreed in principle to resume direct air services."
STALLED = "Talks between India and China on resuming direct flights remain stalled."


def test_a_status_mismatch_is_one_false_positive_and_one_false_negative() -> None:
    figures = Figures()
    gold = {"x": [GoldStatement("air-services", "agreed", "both", AGREED)]}
    score_statements(gold, {"x": [predicted("x", "air-services", "in_progress", f"NEW DELHI: {AGREED}")]}, figures)
    assert (figures.statements.tp, figures.statements.fp, figures.statements.fn) == (0, 1, 1)
    assert (figures.by_status["agreed"].fn, figures.by_status["in_progress"].fp) == (1, 1)
    assert (figures.by_commitment["air-services"].fp, figures.by_commitment["air-services"].fn) == (1, 1)
    assert figures.confusion == {("agreed", "in_progress"): 1}
    (error,) = figures.statement_errors
    assert error.as_json() == {
        "article_id": "x",
        "commitment": "air-services",
        "evidence": AGREED,
        "expected": "agreed",
        "got": "in_progress",
        "rule": "rule-in_progress",
    }
    assert figures.actor_total == 0


def test_right_missing_and_extra_statements() -> None:
    figures = Figures()
    gold = {
        "x": [GoldStatement("air-services", "agreed", "both", AGREED)],
        "y": [GoldStatement("air-services", "stalled", "both", STALLED)],
    }
    found = {
        "x": [
            predicted("x", "air-services", "agreed", AGREED, actor="india"),
            predicted("x", "visas", "agreed", "India and China agreed to ease visas."),
        ]
    }
    score_statements(gold, found, figures)
    assert (figures.statements.tp, figures.statements.fp, figures.statements.fn) == (1, 1, 1)
    assert figures.confusion == {("agreed", "agreed"): 1, (NONE, "agreed"): 1, ("stalled", NONE): 1}
    assert [(e.article_id, e.expected, e.got) for e in figures.statement_errors] == [
        ("x", NONE, "agreed"),
        ("y", "stalled", NONE),
    ]
    assert (figures.actor_right, figures.actor_total) == (0, 1)


def test_an_article_states_a_status_whichever_sentence_says_it() -> None:
    # An article makes one statement per commitment; which sentence says it is a labelling choice.
    figures = Figures()
    gold = {"x": [GoldStatement("air-services", "agreed", "both", AGREED)]}
    score_statements(gold, {"x": [predicted("x", "air-services", "agreed", STALLED)]}, figures)
    assert (figures.statements.tp, figures.statements.fp, figures.statements.fn) == (1, 0, 0)


def test_a_second_status_for_one_commitment_is_a_false_positive() -> None:
    figures = Figures()
    gold = {"x": [GoldStatement("air-services", "agreed", "both", AGREED)]}
    found = [predicted("x", "air-services", "agreed", AGREED), predicted("x", "air-services", "stalled", STALLED)]
    score_statements(gold, {"x": found}, figures)
    assert (figures.statements.tp, figures.statements.fp, figures.statements.fn) == (1, 1, 0)
    assert figures.confusion == {("agreed", "agreed"): 1, ("none", "stalled"): 1}


def article(article_id: str, day: date, sentences: list[tuple[str, str]]) -> CorpusArticle:
    """A labelled article on air services: (status, sentence) pairs, every one a statement."""
    return CorpusArticle(
        id=article_id,
        date=day,
        title=article_id,
        url=f"corpus:{article_id}",
        source="corpus",
        text="\n\n".join(text for _, text in sentences),
        statements=tuple(GoldStatement("air-services", status, "both", text) for status, text in sentences),
    )


HAND_MADE = [
    article("jan", date(2025, 1, 27), [("agreed", AGREED)]),
    article(
        "jun",
        date(2025, 6, 13),
        [("in_progress", "India and China agreed to expedite the steps needed to resume direct air services.")],
    ),
    # Lower on the ladder than in_progress: a reaffirmation, not a change.
    article("aug", date(2025, 8, 12), [("agreed", "The two sides agreed to resume direct flights.")]),
    article("sep", date(2025, 9, 1), [("stalled", STALLED)]),
]


def test_gold_timeline_follows_the_rules_of_change() -> None:
    changes = gold_timeline(HAND_MADE)
    assert [(c.date, c.from_status, c.to_status, c.kind) for c in changes] == [
        (date(2025, 1, 27), None, "agreed", "new"),
        (date(2025, 6, 13), "agreed", "in_progress", "progress"),
        (date(2025, 9, 1), "in_progress", "stalled", "setback"),
    ]
    assert all(isinstance(c, StatusChange) and c.commitment_id == "air-services" for c in changes)


def test_gold_timeline_collapses_a_day() -> None:
    day = date(2025, 1, 27)
    changes = gold_timeline(
        [article("one", day, [("proposed", "China has called for resuming direct flights."), ("agreed", AGREED)])]
    )
    assert [(c.from_status, c.to_status) for c in changes] == [(None, "agreed")]


def test_score_changes_counts_a_reaffirmation_taken_for_a_change() -> None:
    gold = [(c.commitment_id, c.date, c.to_status) for c in gold_timeline(HAND_MADE)]
    found = [
        ("air-services", date(2025, 1, 27), "agreed"),
        ("air-services", date(2025, 6, 13), "in_progress"),
        ("air-services", date(2025, 8, 12), "agreed"),
    ]
    figures = Figures()
    score_changes(gold, found, figures)
    assert (figures.changes.tp, figures.changes.fp, figures.changes.fn) == (2, 1, 1)
    assert figures.change_errors == [
        {"commitment": "air-services", "date": "2025-09-01", "expected": "stalled", "got": NONE},
        {"commitment": "air-services", "date": "2025-08-12", "expected": NONE, "got": "agreed"},
    ]


def test_a_change_to_another_status_on_the_right_day_does_not_count() -> None:
    figures = Figures()
    score_changes([("visas", date(2025, 6, 13), "agreed")], [("visas", date(2025, 6, 13), "under_discussion")], figures)
    assert (figures.changes.tp, figures.changes.fp, figures.changes.fn) == (0, 1, 1)


# --- the whole evaluation on the small corpus --------------------------------------------


def test_evaluate_small_corpus_statements(small_result: Evaluation) -> None:
    assert (small_result.articles, small_result.gold_statements, small_result.gold_changes) == (4, 8, 7)
    t = small_result.tracker
    # Every labelled statement found, and nothing from the traps: "India–China
    # talks on border trade remain stalled" is read as stalled (the predicate
    # after the mention wins over the noun "talks on").
    assert (t.statements.tp, t.statements.fp, t.statements.fn) == (8, 0, 0)
    assert t.statements.f1 == pytest.approx(1.0)
    assert t.confusion[("stalled", "stalled")] == 2
    assert sum(n for (e, g), n in t.confusion.items() if e != g) == 0
    assert t.statement_errors == []
    assert (t.by_commitment["border-trade"].tp, t.by_commitment["border-trade"].fp) == (2, 0)
    assert (t.by_status["stalled"].tp, t.by_status["stalled"].fn) == (2, 0)
    assert (t.actor_right, t.actor_total) == (8, 8)


def test_evaluate_small_corpus_changes(small_result: Evaluation) -> None:
    t = small_result.tracker
    assert (t.changes.tp, t.changes.fp, t.changes.fn) == (7, 0, 0)
    assert t.change_errors == []
    # Every change the tracker found is above the default threshold.
    assert (t.alerts.tp, t.alerts.fp, t.alerts.fn) == (7, 0, 0)
    assert (t.final_right, t.final_total) == (4, 4)
    assert t.final_errors == []


def test_evaluate_small_corpus_baseline(small_result: Evaluation) -> None:
    b, t = small_result.baseline, small_result.tracker
    # The keyword baseline flags every article that names a commitment: scored
    # per (article, commitment), its false statement is the article that names
    # one and states nothing about it (the Nepal–China flights).
    assert (b.statements.tp, b.statements.fp, b.statements.fn) == (8, 1, 0)
    # Its changes are every (commitment, day) named: the Nepal–China flights and
    # the rivers' reaffirmation are false alarms.
    assert (b.changes.tp, b.changes.fp, b.changes.fn) == (7, 2, 0)
    assert b.changes.precision == pytest.approx(7 / 9)
    assert b.changes.precision < t.changes.precision
    assert b.statements.precision < t.statements.precision


def test_evaluation_json_and_report(small_result: Evaluation) -> None:
    payload = small_result.as_json()
    assert payload["tracker"]["statements"] == {
        "tp": 8,
        "fp": 0,
        "fn": 0,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
    assert payload["tracker"]["final_status"] == {"right": 4, "total": 4, "accuracy": 1.0}
    assert {"expected": "stalled", "got": "stalled", "count": 2} in payload["tracker"]["confusion"]
    assert payload["tracker"]["errors"]["changes"] == small_result.tracker.change_errors
    # The baseline has no status: no final-status accuracy, no alerts, no errors.
    assert payload["baseline"]["final_status"] is None
    assert payload["baseline"]["alerts"] is None
    assert "errors" not in payload["baseline"]
    json.dumps(payload)

    report = format_report(small_result)
    assert "Corpus: 4 articles, 8 labelled statements, 7 changes implied by the labels." in report
    assert "Final status right: tracker 4/4 (1.000)" in report
    assert "Statement errors (0):" in report
    assert "Change errors (0):" in report
    quiet = format_report(small_result, errors=False)
    assert "Statement errors" not in quiet
    assert "Final status right: tracker 4/4 (1.000)" in quiet


# Two articles of one day that disagree: where the day ends depends on the
# order the articles are folded in, which must be the tracker's own.
AGREED_TRADE = ("Border trade deal", ["India and China agreed in principle to resume border trade."])
STALLED_TRADE = ("Border trade talks stall", ["Talks between India and China on border trade remain stalled."])


@pytest.mark.parametrize("names", [("a", "b"), ("b", "a")])
def test_a_day_whose_articles_disagree_is_scored_in_the_trackers_order(
    tmp_path: Path, catalogue: Catalogue, names: tuple[str, str]
) -> None:
    agreed_id, stalled_id = names[0] + "-agreed", names[1] + "-stalled"
    articles = {agreed_id: AGREED_TRADE, stalled_id: STALLED_TRADE}
    labels = [
        {
            "id": article_id,
            "date": "2025-03-03",
            "statements": [statement("border-trade", status, "both", paragraphs[0])],
        }
        for article_id, status, (_, paragraphs) in [
            (agreed_id, "agreed", AGREED_TRADE),
            (stalled_id, "stalled", STALLED_TRADE),
        ]
    ]
    result = evaluate(load_corpus(write_corpus(tmp_path, labels, articles), catalogue), catalogue, Config())
    t = result.tracker
    assert (t.statements.tp, t.statements.fp, t.statements.fn) == (2, 0, 0)
    assert (t.changes.tp, t.changes.fp, t.changes.fn) == (1, 0, 0), t.change_errors
    assert (t.final_right, t.final_total) == (1, 1), t.final_errors


# --- the command ----------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run in an empty folder with no configuration from the environment."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    for env in ENV_KEYS.values():
        monkeypatch.delenv(env, raising=False)


def run_eval(*args: str) -> Result:
    return CliRunner().invoke(main, ["eval", *args], catch_exceptions=False)


def test_eval_json_without_errors(cli: None, small_corpus: Path) -> None:
    result = run_eval(str(small_corpus), "--json", "--no-errors")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["tracker"]["statements"]["f1"] == 1.0
    assert payload["tracker"]["changes"] == {
        "tp": 7,
        "fp": 0,
        "fn": 0,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
    assert payload["baseline"]["changes"]["precision"] == 0.7778
    assert "errors" not in payload["tracker"]
    assert "errors" in json.loads(run_eval(str(small_corpus), "--json").stdout)["tracker"]
    # Nothing is written where the command runs.
    assert list(Path.cwd().iterdir()) == []


def test_eval_below_a_threshold_exits_1(cli: None, small_corpus: Path) -> None:
    result = run_eval(str(small_corpus), "--no-errors", "--min-statement-f1", "1.01")
    assert result.exit_code == 1
    assert "below threshold: statement F1 1.000 < 1.01" in result.output
    passing = run_eval(str(small_corpus), "--no-errors", "--min-statement-f1", "1.0", "--min-change-precision", "1")
    assert passing.exit_code == 0, passing.output
    failing = run_eval(str(small_corpus), "--min-final-accuracy", "1.01", "--min-change-recall", "1.01")
    assert failing.exit_code == 1
    assert "final-status accuracy 1.000 < 1.01" in failing.output
    assert "change recall 1.000 < 1.01" in failing.output


def test_eval_on_bad_labels_is_a_one_line_error(cli: None, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "corpus", first_statement_with(status="signed"))
    result = run_eval(str(root))
    assert result.exit_code == 1
    assert "statements[0].status: unknown status 'signed'" in result.output
    assert "Traceback" not in result.output


def test_the_development_corpus_meets_the_ci_gate(cli: None) -> None:
    result = run_eval(
        str(DEV_CORPUS),
        "--json",
        "--no-errors",
        "--min-statement-f1",
        "0.90",
        "--min-change-precision",
        "0.95",
        "--min-change-recall",
        "0.90",
        "--min-final-accuracy",
        "1.0",
    )
    assert result.exit_code == 0, result.output
    tracker = json.loads(result.stdout)["tracker"]
    assert tracker["statements"]["f1"] >= 0.90
    assert tracker["changes"]["precision"] >= 0.95
    assert tracker["changes"]["recall"] >= 0.90
    assert tracker["final_status"]["accuracy"] == 1.0


def test_the_report_lists_each_kind_of_error() -> None:
    figures = Figures()
    gold = {"a1": [GoldStatement("visas", "agreed", "both", "India and China agreed to ease visas.")]}
    predicted = {
        "a1": [
            PredictedStatement(
                "a1", "visas", "proposed", "china", "India and China agreed to ease visas.", "called-for"
            )
        ]
    }
    score_statements(gold, predicted, figures)
    score_changes([("visas", date(2025, 6, 13), "agreed")], [("visas", date(2025, 6, 13), "proposed")], figures)
    score_final({"visas": "agreed"}, {"visas": "proposed"}, figures)
    result = Evaluation(1, 1, 1, figures, Figures())
    report = format_report(result)
    assert "Statement errors (1):\n  a1 visas: expected agreed, got proposed [called-for]" in report
    assert "2025-06-13 visas: expected agreed, got none" in report
    assert "2025-06-13 visas: expected none, got proposed" in report
    assert "Final status errors (1):\n  visas: expected agreed, got proposed" in report


# --- held out by story and by time ---------------------------------------------------------


def _article(article_id: str, day: str, text: str) -> CorpusArticle:
    return CorpusArticle(article_id, date.fromisoformat(day), article_id, f"corpus:{article_id}", "corpus", text, ())


def test_articles_sharing_a_sentence_are_one_story_and_the_sharing_is_transitive() -> None:
    readout = "The two sides agreed to hold the next round of border talks in Beijing early next year, officials said."
    other = "Flights between the two capitals have been full every day since the route reopened in the spring."
    corpus = [
        _article("a", "2025-01-01", "Wire copy.\n\n" + readout),
        # The same readout, cased and punctuated otherwise, beside a sentence of its own.
        _article("b", "2025-01-02", readout.upper().replace(",", "") + "\n\n" + other),
        # Shares only the other sentence with b: one story with a and b.
        _article("c", "2025-01-03", other),
        # A stock phrase of a few words is no shared sentence.
        _article("d", "2025-01-04", "The two sides agreed to meet again. Nothing else was said."),
    ]
    groups = stories(corpus)
    assert sorted(sorted(a.id for a in g) for g in groups) == [["a", "b", "c"], ["d"]]


def test_story_folds_keep_stories_whole_and_cover_the_corpus_once() -> None:
    shared = "Officials from both countries said the working group would meet again before the end of the month."
    corpus = [_article(f"s{i}", f"2025-02-{i + 1:02d}", f"Story {i} alone, told in its own words number {i}.")
              for i in range(7)]
    corpus += [_article(f"t{i}", f"2025-03-{i + 1:02d}", shared) for i in range(3)]
    folds = story_folds(corpus, 3)
    assert sorted(a.id for f in folds for a in f) == sorted(a.id for a in corpus)
    holding = [n for n, f in enumerate(folds) if any(a.id.startswith("t") for a in f)]
    assert len(holding) == 1 and {a.id for a in folds[holding[0]]} >= {"t0", "t1", "t2"}
    assert max(len(f) for f in folds) - min(len(f) for f in folds) <= 3
    with pytest.raises(ValueError):
        story_folds(corpus, 1)


def test_within_reads_the_days_asked_for() -> None:
    corpus = [_article(x, d, "Text.") for x, d in (("a", "2025-01-01"), ("b", "2025-02-01"), ("c", "2025-03-01"))]
    assert [a.id for a in within(corpus, date(2025, 2, 1), None)] == ["b", "c"]
    assert [a.id for a in within(corpus, None, date(2025, 2, 1))] == ["a", "b"]
    assert [a.id for a in within(corpus, date(2025, 1, 15), date(2025, 2, 15))] == ["b"]


def test_folds_pool_to_the_sum_of_their_parts(small_corpus: Path, catalogue: Catalogue) -> None:
    corpus = load_corpus(small_corpus, catalogue)
    held = evaluate_folds(corpus, catalogue, Config(), 2)
    assert len(held.parts) == 2
    assert held.total.articles == len(corpus)
    for name in ("statements", "changes"):
        total = getattr(held.total.tracker, name)
        assert (total.tp, total.fp, total.fn) == tuple(
            sum(getattr(getattr(p.tracker, name), f) for p in held.parts) for f in ("tp", "fp", "fn")
        )
    assert held.total.tracker.final_total == sum(p.tracker.final_total for p in held.parts)
    # Every statement is still read: the pooled statements equal the whole corpus's.
    whole = evaluate(corpus, catalogue, Config())
    assert held.total.tracker.statements.tp == whole.tracker.statements.tp
    assert "pooled" in format_held_out(held)


def test_eval_from_until_and_folds(cli: None, small_corpus: Path) -> None:
    later = run_eval(str(small_corpus), "--json", "--no-errors", "--from", "2025-06-01")
    assert later.exit_code == 0, later.output
    assert json.loads(later.stdout)["articles"] == 2
    early = run_eval(str(small_corpus), "--json", "--no-errors", "--until", "2025-03-10")
    assert json.loads(early.stdout)["articles"] == 2
    folded = run_eval(str(small_corpus), "--json", "--no-errors", "--folds", "2")
    held = json.loads(folded.stdout)["held_out"]
    assert held["name"] == "2 folds by story" and len(held["parts"]) == 2
    assert held["pooled"]["articles"] == 4
    assert "Held out, 2 folds by story" in run_eval(str(small_corpus), "--no-errors", "--folds", "2").output
    empty = run_eval(str(small_corpus), "--from", "2030-01-01")
    assert empty.exit_code == 1 and "no labelled article dated within" in empty.output
    bad = run_eval(str(small_corpus), "--from", "June")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def _first_article_with(**fields: object) -> list:
    labels = json.loads(json.dumps(LABELS))
    labels[0].update(fields)
    return labels


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (_first_article_with(rejected={"commitment": "visas"}), "[0].rejected: must be a list"),
        (_first_article_with(rejected=["visas"]), "[0].rejected[0]: must be an object"),
        (_first_article_with(rejected=[{"commitment": "ferries", "status": "agreed"}]), "unknown commitment 'ferries'"),
        (_first_article_with(rejected=[{"commitment": "visas", "status": "signed"}]), "unknown status 'signed'"),
        (_first_article_with(judged="visas"), "[0].judged: must be a list of the catalogue's commitment ids"),
        (_first_article_with(judged=["ferries"]), "[0].judged: must be a list of the catalogue's commitment ids"),
    ],
    ids=["rejected-not-a-list", "rejected-not-an-object", "rejected-commitment", "rejected-status",
         "judged-not-a-list", "judged-unknown"],
)
def test_bad_review_fields_are_one_line_errors_naming_the_field(
    tmp_path: Path, catalogue: Catalogue, labels: list, expected: str
) -> None:
    root = write_corpus(tmp_path / "corpus", labels)
    with pytest.raises(SourceError) as caught:
        load_corpus(root, catalogue)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_a_rejected_status_is_a_false_positive_and_others_are_not_judged() -> None:
    figures = Figures()
    predicted = {
        "a": [PredictedStatement("a", "visas", "agreed", "both", "…", "agreed")],
        "b": [PredictedStatement("b", "visas", "implemented", "both", "…", "resumed")],
        "c": [PredictedStatement("c", "visas", "agreed", "both", "…", "agreed"),
              PredictedStatement("c", "air-services", "agreed", "both", "…", "agreed")],
    }
    rejected = {
        "a": [RejectedStatement("visas", "agreed", "…")],
        "b": [RejectedStatement("visas", "agreed", "…")],
    }
    gold = {"c": [GoldStatement("visas", "agreed", "both", "…")]}
    score_statements(gold, predicted, figures, rejected=rejected, judged={"c": ["visas"]})
    # a: the rejected status read again; b: another status, not judged; c: right, and air-services not judged.
    assert (figures.statements.tp, figures.statements.fp, figures.statements.fn) == (1, 1, 0)
