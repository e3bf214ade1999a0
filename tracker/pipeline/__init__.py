"""The daily cycle: sources → articles → statements → status changes → digest.

The library face (`tracker.library.Tracker`), which the CLI, the scheduler
and `tracker eval` go through, calls `run_cycle` (or `ingest_paths`,
`run_worker`); nothing here prints: progress and messages go to the callbacks
the caller passes. `context` is what one invocation opens, `report` what a run
reports, `inputs` the files, folders and feeds read, `sink` where articles are
stored, `folding` the fold, `site_pages` the site, `cycle` the stages in order.
"""

from tracker.pipeline.context import (
    Context,
    DamagedDatabase,
    NewerSchema,
    NoDatabase,
    OldSchema,
    configured_official_hosts,
)
from tracker.pipeline.cycle import (
    MAX_KEPT_MESSAGES,
    _collector,
    after_review,
    describe_failure,
    finish_day,
    ingest_paths,
    recent_divergences,
    run_cycle,
    run_worker,
)
from tracker.pipeline.folding import COPY_BATCH, current_statuses, fold_touched, recover_unfolded, update_timeline
from tracker.pipeline.inputs import (
    due_feeds,
    fetch_url,
    folder_paths,
    read_feed,
    read_feeds,
    read_paths,
    seeds_dir,
    source_specs,
    try_feed,
)
from tracker.pipeline.report import EXIT_ALL_INPUTS_FAILED, EXIT_OK, EXIT_SOURCE_IN_ERROR, Progress, RunReport
from tracker.pipeline.sink import ArticleSink, store_articles
from tracker.pipeline.site_pages import SITE_WARNING, note_site_pages, site_owed, write_site_of, write_site_safely

__all__ = [
    "COPY_BATCH",
    "EXIT_ALL_INPUTS_FAILED",
    "EXIT_OK",
    "EXIT_SOURCE_IN_ERROR",
    "MAX_KEPT_MESSAGES",
    "SITE_WARNING",
    "ArticleSink",
    "Context",
    "DamagedDatabase",
    "NewerSchema",
    "NoDatabase",
    "OldSchema",
    "Progress",
    "RunReport",
    "_collector",
    "after_review",
    "configured_official_hosts",
    "current_statuses",
    "describe_failure",
    "due_feeds",
    "fetch_url",
    "finish_day",
    "fold_touched",
    "folder_paths",
    "ingest_paths",
    "note_site_pages",
    "read_feed",
    "read_feeds",
    "read_paths",
    "recent_divergences",
    "recover_unfolded",
    "run_cycle",
    "run_worker",
    "seeds_dir",
    "site_owed",
    "source_specs",
    "store_articles",
    "try_feed",
    "update_timeline",
    "write_site_of",
    "write_site_safely",
]
