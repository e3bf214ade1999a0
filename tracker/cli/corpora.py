"""Measuring and checking without a database: eval on a labelled corpus, catalogue check."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from tracker.catalogue import DEFAULT_CATALOGUE, load_catalogue, load_catalogues
from tracker.cli.base import configuration, count, line, main, parse_date, warn
from tracker.cli.errors import reported
from tracker.resources import data_path


@main.command(name="eval")
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures and errors as JSON.")
@click.option("--errors/--no-errors", default=True, show_default=True, help="List the errors themselves.")
@click.option("--min-statement-f1", type=float, help="Fail (exit 1) when statement F1 is below this.")
@click.option("--min-change-precision", type=float, help="Fail when change-event precision is below this.")
@click.option("--min-change-recall", type=float, help="Fail when change-event recall is below this.")
@click.option("--min-final-accuracy", type=float, help="Fail when final-status accuracy is below this.")
@click.option(
    "--from", "start", callback=parse_date, help="Read only the articles dated from this day (the later part)."
)
@click.option("--until", "end", callback=parse_date, help="Read only the articles dated up to this day.")
@click.option(
    "--folds",
    type=click.IntRange(min=2, max=20),
    help="Also read the corpus in this many folds of whole stories (articles sharing a sentence go together).",
)
@click.option(
    "--beside",
    "beside",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Follow this catalogue's relationship too, in the same database (repeatable); only the corpus's is scored.",
)
@click.pass_obj
def eval_(
    obj: dict,
    corpus_dir: Path,
    as_json: bool,
    errors: bool,
    min_statement_f1: float | None,
    min_change_precision: float | None,
    min_change_recall: float | None,
    min_final_accuracy: float | None,
    start: date | None,
    end: date | None,
    folds: int | None,
    beside: tuple[Path, ...],
) -> None:
    """Measure extraction and change detection on a labelled corpus.

    CORPUS_DIR holds articles/<id>.txt and labels.json. The corpus is ingested
    day by day into a temporary database (the configured one is not touched);
    statement and change-event precision, recall and F1, final-status accuracy
    and the errors are printed beside a keyword baseline's figures.

    \b
    Examples:
      tracker eval tests/corpus
      tracker eval tests/corpus --json --no-errors
      tracker eval tests/corpus --min-statement-f1 0.9 --min-change-precision 0.95
      tracker eval CORPUS --from 2025-07-01      # the later articles alone
      tracker eval CORPUS --folds 5 --no-errors  # and in five folds by story
      tracker eval CORPUS --beside other-pair.toml  # beside a second relationship

    --from and --until read only the articles of those days, as a corpus of
    their own (a desk that starts on that day). --folds reads each fold of
    whole stories as a corpus of its own and pools the figures.

    The corpus is read through the configured catalogue, else the catalogue.toml
    in CORPUS_DIR when it has one, else the packaged one. --beside adds other
    relationships to the database, as a desk following several would: the
    figures are the corpus relationship's alone.
    """
    from tracker.evaluation import evaluate, evaluate_folds, format_held_out, format_report, load_corpus, within

    config = configuration(obj)
    own = corpus_dir / "catalogue.toml"
    path = config.catalogue or (own if own.is_file() else data_path(DEFAULT_CATALOGUE))
    config = replace(config, catalogues=(path, *beside))
    with reported():
        load_catalogues(config.catalogues)  # a bad or clashing catalogue stops here, named
        catalogue = load_catalogue(path)
        corpus = within(load_corpus(corpus_dir, catalogue), start, end)
    if not corpus:
        raise click.ClickException(f"{corpus_dir}: no labelled article dated within the days asked for")
    result = evaluate(corpus, catalogue, config)
    held = evaluate_folds(corpus, catalogue, config, folds) if folds else None
    if as_json:
        payload = result.as_json()
        if not errors:
            payload["tracker"].pop("errors", None)
        if held is not None:
            payload["held_out"] = held.as_json()
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(result, errors=errors))
        if held is not None:
            click.echo("")
            click.echo(format_held_out(held))
    t = result.tracker
    failures = [
        f"{name} {value:.3f} < {floor}"
        for name, value, floor in (
            ("statement F1", t.statements.f1, min_statement_f1),
            ("change precision", t.changes.precision, min_change_precision),
            ("change recall", t.changes.recall, min_change_recall),
            ("final-status accuracy", t.final_accuracy, min_final_accuracy),
        )
        if floor is not None and value < floor
    ]
    if failures:
        raise click.ClickException("below threshold: " + "; ".join(failures))


@main.group(name="catalogue")
def catalogue_group() -> None:
    """Check a catalogue of commitments before following it.

    \b
    Examples:
      tracker catalogue check my-pair.toml
      tracker catalogue check my-pair.toml --articles sample/
    """


@catalogue_group.command(name="check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--articles",
    "articles_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of .txt articles (title, blank line, body), or a corpus folder with articles/.",
)
def catalogue_check(file: Path, articles_dir: Path | None) -> None:
    """Load a catalogue and compile every phrase; with --articles, count the
    articles each commitment's phrases match.

    A catalogue that does not load (a phrase that does not compile, a
    duplicate id, an unknown key) is one line naming the file, the commitment
    and the field, and exit status 1. With articles, a phrase that matches no
    article, or nearly every one, is a warning: it names nothing the folder
    says, or it finds the relationship rather than the commitment.

    \b
    Examples:
      tracker catalogue check my-pair.toml
      tracker catalogue check my-pair.toml --articles sample/
    """
    from tracker import catalogue_check as checks

    with reported(clean=True):
        catalogue = load_catalogue(file)
    sides = " and ".join(catalogue.labels.values())
    line(
        f"{file}: {catalogue.relationship_title} ({catalogue.relationship_id}), {sides}:"
        f" {count(len(catalogue.commitments), 'commitment')}, {count(checks.phrase_count(catalogue), 'phrase')}"
        " compiled"
    )
    if articles_dir is None:
        return
    articles = checks.read_articles(articles_dir)
    line(f"{count(len(articles), 'article')} in {checks.article_folder(articles_dir)}")
    counts = checks.count_matches(catalogue, articles)
    for found in counts:
        line(f"{found.commitment.id}: {found.articles} of {count(len(articles), 'article')}")
        for phrase in found.phrases:
            line(f"  {phrase.field}[{phrase.index}] {phrase.phrase!r}: {phrase.articles}")
    for concern in checks.concerns(counts):
        warn(f"warning: {concern}")
