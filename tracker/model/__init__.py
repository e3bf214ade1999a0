"""The model: every value that passes from one stage to another, and the one way it becomes JSON.

Each stage (sources, extraction, the fold, the store, the digest, delivery,
the command line) takes and gives these frozen types; none of them knows a
database row, a template or a parser. Statuses, change kinds, review kinds,
channel kinds, delivery and run states are `StrEnum`s: each equals the string
the database stores, so rows read and JSON written are what they were as bare
strings.

The types live in one module per stage (`shaping`, `words`, `fetches`,
`articles`, `folding`, `stored`, `runs`, and `answers`: what the library face
answers); every one is importable from here.
"""

from tracker.model.answers import Explanation, History, ReviewOutcome, SourceAdded, SourcesImported, StatusBoard
from tracker.model.articles import (
    MAX_TITLE_CHARS,
    ArticleDraft,
    ArticleText,
    ExtractedStatement,
    Rejection,
    RelatedStatement,
    content_hash,
    normalise,
)
from tracker.model.fetches import FetchOutcome, FetchRequest, FetchResult, Health, Redirect
from tracker.model.folding import CommitmentKey, Corroboration, FoldInput, FoldScope, FoldStart, StatusChange, Support
from tracker.model.runs import DeliveryOutcome, FeedTrial, RunCounts, RunRecord, SourceProblem
from tracker.model.shaping import Shaped, to_json
from tracker.model.stored import (
    ChangeView,
    DeliveryView,
    DigestRecord,
    Divergence,
    FetchRecord,
    KnownDraft,
    OpmlOutline,
    ReviewedArticle,
    ReviewedStatement,
    ReviewView,
    RevisionView,
    SourceSpec,
    SourceView,
    StatementView,
    StoredArticle,
    StoredChange,
    StoredCommitment,
    StoredDigest,
    StoredRevision,
)
from tracker.model.words import (
    REVIEW_RULE,
    REVIEW_SOURCE,
    ChangeKind,
    ChannelKind,
    DeliveryState,
    Message,
    Reason,
    ReviewKind,
    RunState,
    SourceKind,
    Status,
)

__all__ = [
    "MAX_TITLE_CHARS",
    "REVIEW_RULE",
    "REVIEW_SOURCE",
    "ArticleDraft",
    "ArticleText",
    "ChangeKind",
    "ChangeView",
    "ChannelKind",
    "CommitmentKey",
    "Corroboration",
    "DeliveryOutcome",
    "DeliveryState",
    "DeliveryView",
    "DigestRecord",
    "Divergence",
    "Explanation",
    "ExtractedStatement",
    "FeedTrial",
    "FetchOutcome",
    "FetchRecord",
    "FetchRequest",
    "FetchResult",
    "FoldInput",
    "FoldScope",
    "FoldStart",
    "Health",
    "History",
    "KnownDraft",
    "Message",
    "OpmlOutline",
    "Reason",
    "Redirect",
    "Rejection",
    "RelatedStatement",
    "ReviewKind",
    "ReviewOutcome",
    "ReviewView",
    "ReviewedArticle",
    "ReviewedStatement",
    "RevisionView",
    "RunCounts",
    "RunRecord",
    "RunState",
    "Shaped",
    "SourceAdded",
    "SourceKind",
    "SourceProblem",
    "SourceSpec",
    "SourceView",
    "SourcesImported",
    "StatementView",
    "Status",
    "StatusBoard",
    "StatusChange",
    "StoredArticle",
    "StoredChange",
    "StoredCommitment",
    "StoredDigest",
    "StoredRevision",
    "Support",
    "content_hash",
    "normalise",
    "to_json",
]
