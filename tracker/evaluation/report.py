"""The figures as a plain-text report."""

from __future__ import annotations

from tracker.catalogue import STATUSES
from tracker.evaluation.corpus import (
    NONE,
)
from tracker.evaluation.runner import (
    Evaluation,
    HeldOut,
)
from tracker.evaluation.scoring import (
    Score,
)


def format_held_out(held: HeldOut) -> str:
    out = [f"Held out, {held.name} (each part read as a corpus of its own; pooled last):"]
    for number, part in enumerate([*held.parts, held.total], start=1):
        t, b = part.tracker, part.baseline
        label = "pooled" if part is held.total else f"part {number}"
        out.append(
            f"  {label:<8} {part.articles:>4} articles  statements F1 {t.statements.f1:.3f}"
            f"  changes P {t.changes.precision:.3f} R {t.changes.recall:.3f} F1 {t.changes.f1:.3f}"
            f"  finals {t.final_right}/{t.final_total}  keyword changes F1 {b.changes.f1:.3f}"
        )
    return "\n".join(out)


def _line(name: str, score: Score) -> str:
    return (
        f"  {name:<22} P {score.precision:6.3f}  R {score.recall:6.3f}  F1 {score.f1:6.3f}"
        f"   (tp {score.tp}, fp {score.fp}, fn {score.fn})"
    )


def format_report(result: Evaluation, errors: bool = True) -> str:
    t, b = result.tracker, result.baseline
    out = [
        f"Corpus: {result.articles} articles, {result.gold_statements} labelled statements, "
        f"{result.gold_changes} changes implied by the labels.",
        "",
        "Statements (same article, commitment, sentence and status):",
        _line("tracker", t.statements),
        _line("keyword baseline*", b.statements),
        "",
        "Change events (same commitment, date and new status):",
        _line("tracker", t.changes),
        _line("tracker, alerts only†", t.alerts),
        _line("keyword baseline*", b.changes),
        "",
        f"Final status right: tracker {t.final_right}/{t.final_total} ({t.final_accuracy:.3f}); "
        "keyword baseline: none (it has no status).",
    ]
    if t.actor_total:
        out.append(f"Actor agrees on matched statements: {t.actor_right}/{t.actor_total}.")
    out += [
        "* scored status-blind (a mention or a change on the right day counts), which flatters it.",
        "† changes at or above the confidence threshold; the rest go to the digest's unconfirmed signals.",
        "",
    ]
    out.append("Tracker statements by commitment:")
    out += [_line(k, v) for k, v in sorted(t.by_commitment.items())]
    out.append("Tracker statements by status:")
    out += [_line(k, v) for k, v in sorted(t.by_status.items())]
    labels = [*STATUSES, NONE]
    out += ["", "Confusion (rows expected, columns got):", " " * 18 + "".join(f"{s[:9]:>10}" for s in labels)]
    for e in labels:
        out.append(f"  {e:<16}" + "".join(f"{t.confusion.get((e, g), 0) or '.':>10}" for g in labels))
    if errors:
        out += ["", f"Statement errors ({len(t.statement_errors)}):"]
        for err in t.statement_errors:
            rule = f" [{err.rule}]" if err.rule else ""
            out.append(f"  {err.article_id} {err.commitment}: expected {err.expected}, got {err.got}{rule}")
            out.append(f"      “{err.evidence}”")
        out += [f"Change errors ({len(t.change_errors)}):"]
        out += [f"  {e['date']} {e['commitment']}: expected {e['expected']}, got {e['got']}" for e in t.change_errors]
        out += [f"Final status errors ({len(t.final_errors)}):"]
        out += [f"  {e['commitment']}: expected {e['expected']}, got {e['got']}" for e in t.final_errors]
    return "\n".join(out)
