"""The [email], notify and lock_wait settings: file, environment over it, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import ConfigError, EmailSettings, load_config

EMAIL = """
lock_wait = 2.5
notify = ["json://127.0.0.1:9/hook"]

[email]
host = "smtp.example.org"
port = 587
security = "starttls"
username = "tracker"
password_env = "TRACKER_SMTP_PASSWORD"
sender = "tracker@example.org"
recipients = ["desk@example.org", "analyst@example.org"]
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("TRACKER_"):
            monkeypatch.delenv(name)


def test_email_from_the_file_and_the_environment_over_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text(EMAIL, encoding="utf-8")
    config = load_config(path)
    assert config.email == EmailSettings(
        host="smtp.example.org",
        sender="tracker@example.org",
        recipients=("desk@example.org", "analyst@example.org"),
        port=587,
        security="starttls",
        username="tracker",
        password_env="TRACKER_SMTP_PASSWORD",
    )
    assert config.notify == ("json://127.0.0.1:9/hook",) and config.lock_wait == 2.5
    monkeypatch.setenv("TRACKER_EMAIL_PORT", "465")
    monkeypatch.setenv("TRACKER_EMAIL_SECURITY", "tls")
    monkeypatch.setenv("TRACKER_EMAIL_RECIPIENTS", "one@example.org, two@example.org")
    monkeypatch.setenv("TRACKER_NOTIFY", "json://a/x json://b/y")
    monkeypatch.setenv("TRACKER_LOCK_WAIT", "0")
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "hunter2")
    config = load_config(path)
    assert config.email is not None
    assert (config.email.port, config.email.security) == (465, "tls")
    assert config.email.recipients == ("one@example.org", "two@example.org")
    assert config.notify == ("json://a/x", "json://b/y") and config.lock_wait == 0
    # The password is read when sending, never kept in the configuration.
    assert "hunter2" not in repr(config)


def test_email_from_the_environment_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config().email is None
    monkeypatch.setenv("TRACKER_EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_EMAIL_SENDER", "tracker@example.org")
    monkeypatch.setenv("TRACKER_EMAIL_RECIPIENTS", "desk@example.org")
    email = load_config().email
    assert email is not None and (email.port, email.security, email.username) == (587, "starttls", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[email]\nhost = "h"\nsecurity = "ssl"\nsender = "a@b"\nrecipients = ["c@d"]\n',
            "email.security: must be one of",
        ),
        ('[email]\nhost = "h"\nsender = "a@b"\n', "email needs recipients"),
        ('[email]\nhost = "h"\nsender = "a@b"\nrecipients = "nobody"\n', "email.recipients: must be a list of email"),
        ('[email]\nhost = "h"\nport = 0\nsender = "a@b"\nrecipients = ["c@d"]\n', "email.port: must be a positive"),
        ('[email]\nhots = "h"\n', "email.hots: unknown key"),
        ("notify = 3\n", "notify: must be a list of Apprise URLs"),
        ("lock_wait = -1\n", "lock_wait must be a number of seconds"),
    ],
)
def test_bad_delivery_settings_are_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)
    assert "\n" not in str(caught.value)
