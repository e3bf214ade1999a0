"""Runs: their start, end and counts, and which of them are not folded yet."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from tracker.model import CommitmentKey, RunCounts, RunRecord, RunState
from tracker.schema import Article, Digest, Run, Statement, utcnow
from tracker.store._base import StoreBase


class RunsMixin(StoreBase):
    def start_run(self, command_name: str, as_of: date) -> int:
        with self.sessions.begin() as session:
            run = Run(command=command_name, as_of=as_of, state=RunState.RUNNING)
            session.add(run)
            session.flush()
            return run.id

    def finish_run(
        self,
        run_id: int,
        *,
        ingested: int,
        skipped: int,
        failed: int,
        deferred: int,
        changes_found: int,
        messages: Sequence[str],
        digest_id: int | None,
        state: RunState = RunState.FINISHED,
    ) -> None:
        """What the run did, and how it ended (a failed or interrupted run records what it did by then)."""
        with self.sessions.begin() as session:
            run = session.get_one(Run, run_id)
            run.ingested, run.skipped, run.failed, run.deferred = ingested, skipped, failed, deferred
            run.changes_found, run.digest_id = changes_found, digest_id
            run.messages = json.dumps(list(messages))
            run.finished_at = utcnow()
            run.state = state

    def interrupt_stale_runs(self, current_run: int) -> list[int]:
        """Runs still "running" that no process runs any more (called by a run holding the lock alone).

        Each is marked interrupted, with the articles it stored counted as ingested.
        """
        with self.sessions.begin() as session:
            stale = list(session.scalars(select(Run).where(Run.state == RunState.RUNNING, Run.id != current_run)))
            for run in stale:
                run.state = RunState.INTERRUPTED
                run.ingested = session.scalar(select(func.count()).where(Article.run_id == run.id)) or 0
                run.digest_id = run.digest_id or session.scalar(
                    select(func.max(Digest.id)).where(Digest.created_at >= run.started_at)
                )
            return [run.id for run in stale]

    def day_counts(self, as_of: date, command: str) -> RunCounts:
        """Articles ingested, skipped and failed by the finished runs of one command for a day (the day's workers)."""
        with self.sessions() as session:
            ingested, skipped, failed = session.execute(
                select(func.sum(Run.ingested), func.sum(Run.skipped), func.sum(Run.failed)).where(
                    Run.command == command, Run.as_of == as_of, Run.finished_at.is_not(None)
                )
            ).one()
        return RunCounts(ingested or 0, skipped or 0, failed or 0)

    def unfolded(self, current_run: int) -> tuple[list[int], dict[CommitmentKey, date]]:
        """Earlier runs whose stored articles were never folded (killed first), and what those articles state.

        (their ids, each commitment stated about with the earliest day stated)
        """
        with self.sessions() as session:
            runs = list(session.scalars(select(Run.id).where(Run.folded_at.is_(None), Run.id != current_run)))
            if not runs:
                return [], {}
            rows = session.execute(
                select(Statement.relationship_id, Statement.commitment_id, func.min(Article.published))
                .join(Article, Article.id == Statement.article_id)
                .where(Article.run_id.in_(runs))
                .group_by(Statement.relationship_id, Statement.commitment_id)
            )
            return runs, {(rid, cid): day for rid, cid, day in rows}

    def mark_folded(self, run_ids: Sequence[int]) -> None:
        with self.sessions.begin() as session:
            for run in session.scalars(select(Run).where(Run.id.in_(list(run_ids)))):
                run.folded_at = utcnow()

    def runs(self, limit: int = 20) -> list[RunRecord]:
        with self.sessions() as session:
            return [
                RunRecord(
                    id=row.id,
                    command=row.command,
                    started_at=row.started_at,
                    finished_at=row.finished_at,
                    as_of=row.as_of,
                    ingested=row.ingested,
                    skipped=row.skipped,
                    failed=row.failed,
                    deferred=row.deferred,
                    changes=row.changes_found,
                    digest_id=row.digest_id,
                    messages=tuple(json.loads(row.messages or "[]")),
                    state=row.state,
                )
                for row in session.scalars(select(Run).order_by(Run.id.desc()).limit(limit))
            ]
