"""The schedule: APScheduler 3 runs the daily cycle, its job kept in the tracker's own database.

The job store (JSON only, never a pickle: see `JsonJobStore`) remembers
when the next run is due, so a scheduler that was stopped (or a machine that
was off) at that time runs the cycle once when it starts again, within the
misfire grace time; missed runs are coalesced into one. Every run takes the
run lock, so a second scheduler, cron or a manual `tracker run` on the same
database never runs at the same time.
"""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy.exc import IntegrityError

from tracker.config import Config, ConfigError, load_config
from tracker.library import Tracker
from tracker.runlock import LockBusy, run_lock

JOB_ID = "daily-cycle"
JOBS_TABLE = "apscheduler_jobs"
log = logging.getLogger("tracker.schedule")


class ScheduleError(ValueError):
    """A time, cron line or time zone that cannot be scheduled."""


class WallClockTrigger(CronTrigger):
    """A cron trigger that fires a local time once on the day the clocks go back, not in both of its hours."""

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        following = super().get_next_fire_time(previous_fire_time, now)
        if following is not None and previous_fire_time is not None and _wall(following) == _wall(previous_fire_time):
            # The same time on the clock again, an hour later in fact: look on from past the repeated hour.
            following = super().get_next_fire_time(None, following + timedelta(hours=1))
        return following


def _wall(moment: datetime) -> datetime:
    """The local date and time on the clock, whichever side of a change of offset."""
    return moment.replace(tzinfo=None, fold=0)


def trigger_for(when: str, timezone: str) -> CronTrigger:
    """`HH:MM` (or `HH:MM:SS`) every day, or a five-field crontab line such as `30 6 * * 1-5`."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown time zone {timezone!r}") from exc
    try:
        if len(when.split()) == 5:
            return WallClockTrigger.from_crontab(when, timezone=zone)
        parts = when.strip().split(":")
        if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise ValueError("expected HH:MM or a crontab line")
        hour, minute, second = (int(p) for p in [*parts, "0"][:3])
        return WallClockTrigger(hour=hour, minute=minute, second=second, timezone=zone)
    except ValueError as exc:
        raise ScheduleError(f"cannot schedule at {when!r}: {exc}") from exc


# The running scheduler's --database-url, kept in this process only: the job store (a table of
# that same database) never holds it, since it may carry a password.
_flag_database_url: str | None = None


def daily_job(config_path: str | None, database_url: str | None = None) -> None:
    """One scheduled cycle; one log line, whatever happens. Referenced by name from the job store."""
    database_url = database_url or _flag_database_url
    try:
        config = load_config(Path(config_path) if config_path else None, {"database_url": database_url})
    except ConfigError as exc:
        log.error("run skipped: %s", exc)
        return
    as_of = datetime.now(ZoneInfo(config.timezone)).date()
    try:
        with run_lock(config.database_url, "schedule", config.lock_wait), Tracker.open(config) as tracker:
            report = tracker.run(as_of, warn=log.warning)
    except LockBusy as exc:
        log.warning("run skipped: another run is in progress: %s", exc)
        return
    except Exception as exc:  # a scheduled run reports and the scheduler goes on
        log.error("run failed: %s: %s", type(exc).__name__, " ".join(str(exc).split())[:300])
        return
    sent = [f"{o.delivery.channel} {'ok' if o.ok else o.delivery.state}" for o in report.deliveries]
    log.info(
        "run #%d as of %s: %d ingested, %d failed, %d new changes, %s%s",
        report.run_id,
        as_of,
        report.ingested,
        report.failed,
        report.new_changes,
        f"digest #{report.digest_id}" if report.digest_id else "no digest",
        f"; deliveries: {', '.join(sent)}" if sent else "",
    )


class JsonJobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store, holding JSON where it would hold a pickle.

    Whoever can write the database must not be able to run code in `tracker
    schedule`: a row records only the job's id, its trigger's description, its
    arguments and when it next runs, and nothing read back is unpickled or
    imported. The job itself (function, trigger) is rebuilt from the
    configuration this scheduler started with; a row that describes another
    job is not restored.
    """

    def __init__(self, blueprint: dict[str, Any], **options: Any) -> None:
        super().__init__(**options)
        self.blueprint = blueprint

    @staticmethod
    def _row(job: Job) -> bytes:
        when = job.next_run_time
        return json.dumps(
            {
                "id": job.id,
                "trigger": str(job.trigger),
                "args": list(job.args),
                "next_run_time": when.isoformat() if when else None,
            }
        ).encode()

    def add_job(self, job: Job) -> None:
        insert = self.jobs_t.insert().values(
            id=job.id, next_run_time=datetime_to_utc_timestamp(job.next_run_time), job_state=self._row(job)
        )
        with self.engine.begin() as connection:
            try:
                connection.execute(insert)
            except IntegrityError as exc:
                raise ConflictingIdError(job.id) from exc

    def update_job(self, job: Job) -> None:
        update = (
            self.jobs_t.update()
            .values(next_run_time=datetime_to_utc_timestamp(job.next_run_time), job_state=self._row(job))
            .where(self.jobs_t.c.id == job.id)
        )
        with self.engine.begin() as connection:
            if connection.execute(update).rowcount == 0:
                raise JobLookupError(job.id)

    def get_due_jobs(self, now: datetime) -> list[Job]:
        """The due jobs this scheduler claims: a second scheduler on the same database gets none of them.

        Each is claimed by moving its next run on, on the condition that the
        row still holds the next run this scheduler read (compare and set): of
        two schedulers reading one due job, one claims it.
        """
        claimed = []
        for job in super().get_due_jobs(now):
            seen = datetime_to_utc_timestamp(job.next_run_time)
            after = job.trigger.get_next_fire_time(job.next_run_time, now)
            moved = job.__class__.__new__(job.__class__)
            moved.__setstate__({**job.__getstate__(), "next_run_time": after})
            update = (
                self.jobs_t.update()
                .values(next_run_time=datetime_to_utc_timestamp(after), job_state=self._row(moved))
                .where(self.jobs_t.c.id == job.id, self.jobs_t.c.next_run_time == seen)
            )
            with self.engine.begin() as connection:
                if connection.execute(update).rowcount == 1:
                    claimed.append(job)
        return claimed

    def _reconstitute_job(self, job_state: bytes) -> Job:
        # json.loads reads data only; a pickle (an older version's row, or planted) fails here, unread.
        row = json.loads(bytes(job_state).decode("utf-8"))
        expected = {"id": self.blueprint["id"], "trigger": str(self.blueprint["trigger"])}
        if not isinstance(row, dict) or any(row.get(k) != v for k, v in expected.items()):
            raise ValueError("the stored job is not the one this scheduler runs")
        if row.get("args") != list(self.blueprint["args"]):
            raise ValueError("the stored job's arguments are not this scheduler's")
        when = row.get("next_run_time")
        job = Job.__new__(Job)
        job.__setstate__({**self.blueprint, "next_run_time": datetime.fromisoformat(when) if when else None})
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job

    def _get_jobs(self, *conditions: Any) -> list[Job]:
        """As APScheduler's, but a row that cannot be restored is dropped with one log line, not a traceback."""
        from sqlalchemy import and_, select

        jobs, dropped = [], []
        query = select(self.jobs_t.c.id, self.jobs_t.c.job_state).order_by(self.jobs_t.c.next_run_time)
        query = query.where(and_(*conditions)) if conditions else query
        with self.engine.begin() as connection:
            for row in connection.execute(query):
                try:
                    jobs.append(self._reconstitute_job(row.job_state))
                except Exception as exc:
                    log.warning("stored job %r dropped: %s", row.id, _unrestorable(exc))
                    dropped.append(row.id)
            if dropped:
                connection.execute(self.jobs_t.delete().where(self.jobs_t.c.id.in_(dropped)))
        return jobs

    def lookup_job(self, job_id: str) -> Job | None:
        try:
            return super().lookup_job(job_id)
        except ValueError:
            # Not restorable: the scheduler stores its own job over it.
            return None


def _unrestorable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError | json.JSONDecodeError):
        return "not a job this version stores (no JSON; an older version's pickle, or planted), never loaded"
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def build_scheduler(
    config: Config,
    trigger: CronTrigger,
    config_path: str | None,
    database_url: str | None,
    misfire_grace_time: int = 6 * 3600,
) -> BlockingScheduler:
    """A scheduler whose one job is the daily cycle, stored beside the tracker's tables.

    A job already stored with the same trigger is kept as it is, with the run it
    still owes; only a changed trigger replaces it.
    """
    # A job stored by an earlier version with the URL among its arguments is replaced.
    args: list[str | None] = [config_path, None]
    blueprint = {
        "version": 1,
        "id": JOB_ID,
        "func": f"{__name__}:daily_job",
        "trigger": trigger,
        "executor": "default",
        "args": tuple(args),
        "kwargs": {},
        "name": "tracker daily cycle",
        "misfire_grace_time": misfire_grace_time,
        "coalesce": True,
        "max_instances": 1,
    }
    store = JsonJobStore(blueprint, url=config.database_url, tablename=JOBS_TABLE)
    scheduler = BlockingScheduler(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": misfire_grace_time},
        timezone=trigger.timezone,
    )
    store.start(scheduler, "default")
    existing = store.lookup_job(JOB_ID)
    global _flag_database_url
    _flag_database_url = database_url
    if existing is None or str(existing.trigger) != str(trigger) or list(existing.args) != args:
        if existing is not None:
            store.remove_job(JOB_ID)
        scheduler.add_job(
            daily_job,
            trigger,
            args=args,
            id=JOB_ID,
            name="tracker daily cycle",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=misfire_grace_time,
            replace_existing=True,
        )
    return scheduler


class _Stopped(Exception):
    """A signal that came before the scheduler was running."""


def run_until_stopped(scheduler: BlockingScheduler, on_started: Callable[[], None] = lambda: None) -> None:
    """Start; SIGINT or SIGTERM shuts down cleanly (a cycle under way finishes first)."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on %s", signal.Signals(signum).name)
        if not scheduler.running:
            raise _Stopped
        scheduler.shutdown(wait=False)

    scheduler.add_listener(lambda _event: on_started(), EVENT_SCHEDULER_STARTED)
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        scheduler.start()
    except _Stopped:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
