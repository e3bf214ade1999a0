"""The hostile-input suite: over a hundred bad files and bad feed answers through the real run,
every output checked for each.

Cases come in two groups (see tests/support/hostile.py): files in a followed folder, and feeds served
by a loopback HTTP server that also misbehaves at the HTTP level (trickling, endless, bombs,
redirects). One `tracker run` per group, on a real SQLite file, with one good article beside
the cases so that a digest is written, mailed (to a real SMTP server on loopback) and every
output exists. Then each output (digest HTML, Markdown, JSON, the Atom feed, the email, the
site, the CSV and JSON exports, and the terminal listings) is read the way its consumer would
read it and checked for what must never be there; and each case is checked to have been read
(its text reaches the outputs) or refused with a one-line message naming it.

Bounds are structural: the fetch limits of the test configuration (a small byte cap, short
deadlines) are what stop the endless and trickling answers, and the messages must say so.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import sqlite3
import threading
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import record_count
from markdown_it import MarkdownIt

from tests.support.hostile import EITHER, READ, REFUSE, Case, file_cases, gzip_bomb, http_cases, opml_cases
from tests.support.smtp_server import Handler, start
from tracker.catalogue import load_catalogue
from tracker.cli import main
from tracker.config import CONFIG_ENV, EMAIL_ENV_PREFIX, EMAIL_KEYS, ENV_KEYS, NOTIFY_ENV
from tracker.model import MAX_TITLE_CHARS
from tracker.sanitize import clean_line
from tracker.sources import MAX_SENTENCE_CHARS, MAX_TEXT_CHARS

pytestmark = pytest.mark.system

AS_OF = "2025-12-01"
# The fetch limits of the runs: what bounds every endless, huge or slow answer.
MAX_BYTES = 1_000_000
TOTAL_TIMEOUT = 2.0
GOOD = "India and China agreed to reopen border trade through the Lipulekh pass, both sides said."

# Any control character but the line break, and the bidirectional overrides.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMULA = ("=", "+", "-", "@", "\t", "\r")
SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
PASSWD = "root:x:0:0"


# --- the loopback server ------------------------------------------------------------------------


class HostileServer:
    """A raw HTTP server on loopback answering each path as its case says."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.cases: dict[str, Case] = {}
        self.paths: list[str] = []
        self.stop = threading.Event()
        self._bomb = gzip_bomb(60_000_000)
        self._deflate = zlib.compress(b"\x00" * 60_000_000, 9)
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, case: Case) -> str:
        return f"{self.base}/{case.name}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = conn.recv(65536).decode("latin-1")
                if request.count(" ") < 2:
                    return  # a connection that asked nothing (closed by the client, or a probe)
                path = request.split(" ", 2)[1]
                self.paths.append(path)
                name = path.lstrip("/").split("?")[0]
                case = self.cases.get(name.removesuffix("~article"))
                if case is not None and name.endswith("~article") and case.page is not None:
                    # The article page behind the case's entry.
                    case = replace(case, body=case.page, behaviour=case.page_behaviour, content_type=case.page_type)
                self.answer(conn, case)
            except OSError:
                return

    def _send(self, conn: socket.socket, status: str, body: bytes, *headers: str) -> None:
        head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close", *headers]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def _trickle(self, conn: socket.socket, data: bytes) -> None:
        for byte in data:
            if self.stop.wait(0.25):
                return
            conn.sendall(bytes([byte]))
        while not self.stop.wait(0.25):
            conn.sendall(b" ")

    def answer(self, conn: socket.socket, case: Case | None) -> None:
        if case is None:
            # Nothing else is served: a request for a DTD or an entity is recorded and answered with one.
            self._send(conn, "200 OK", b'<!ENTITY x "SSRF-REACHED">', "Content-Type: application/xml-dtd")
            return
        ctype = f"Content-Type: {case.content_type}"
        b = case.behaviour
        if b == "plain":
            self._send(conn, "200 OK", case.body, ctype, *(f"{k}: {v}" for k, v in case.headers))
        elif b == "trickle":
            conn.sendall(f"HTTP/1.1 200 OK\r\n{ctype}\r\nContent-Length: {len(case.body)}\r\n\r\n".encode())
            self._trickle(conn, case.body)
        elif b == "trickle-headers":
            self._trickle(conn, f"HTTP/1.1 200 OK\r\n{ctype}\r\nX-Slow: {'s' * 200}\r\n\r\n".encode())
        elif b == "hang":
            self.stop.wait(60)
        elif b in ("endless", "huge-length"):
            length = "Content-Length: 1000000000000\r\n" if b == "huge-length" else ""
            conn.sendall(f"HTTP/1.1 200 OK\r\n{ctype}\r\n{length}Connection: close\r\n\r\n".encode() + case.body[:-20])
            while not self.stop.is_set():
                conn.sendall(b"<item><title>more</title></item>" * 2000)
        elif b == "endless-chunked":
            conn.sendall(f"HTTP/1.1 200 OK\r\n{ctype}\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
            chunk = b"<item>x</item>" * 4000
            while not self.stop.is_set():
                conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        elif b == "gzip-bomb":
            self._send(conn, "200 OK", self._bomb, ctype, "Content-Encoding: gzip")
        elif b == "deflate-bomb":
            self._send(conn, "200 OK", self._deflate, ctype, "Content-Encoding: deflate")
        elif b.isdigit():
            self._send(conn, f"{b} Nope", b"<html>error</html>", "Content-Type: text/html")
        elif b == "redirect-loop":
            self._send(conn, "302 Found", b"", f"Location: /{case.name}")
        elif b == "redirect-file":
            self._send(conn, "302 Found", b"", "Location: file:///etc/passwd")
        elif b == "redirect-javascript":
            self._send(conn, "302 Found", b"", "Location: javascript:alert(1)")
        elif b == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        elif b == "not-http":
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\x00\x01\x02\x1b[2J")
        elif b == "bad-headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Bad\x00: \x01\x1b[2J\r\n")
            conn.sendall(b"Content-Length: abc\r\n\r\n")
            conn.sendall(case.body)
        elif b == "lying-length":
            conn.sendall(f"HTTP/1.1 200 OK\r\n{ctype}\r\nContent-Length: 100000\r\n\r\n".encode() + case.body[:100])
        else:
            raise AssertionError(b)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


# --- one run of a group, and everything it wrote ------------------------------------------------


@dataclass
class Outputs:
    """Every output of one run, by name, with the kind of reader it is checked for."""

    html: dict[str, str] = field(default_factory=dict)
    markdown: dict[str, str] = field(default_factory=dict)
    json: dict[str, str] = field(default_factory=dict)
    csv: dict[str, str] = field(default_factory=dict)
    atom: dict[str, str] = field(default_factory=dict)
    email: dict[str, EmailMessage] = field(default_factory=dict)
    terminal: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    database: bytes = b""
    files: list[Path] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    articles: list[tuple[str, str, str, str]] = field(default_factory=list)
    server_paths: list[str] = field(default_factory=list)

    def documents(self) -> dict[str, str]:
        """Every output as text."""
        out: dict[str, str] = {}
        for kind in ("html", "markdown", "json", "csv", "atom", "terminal"):
            out.update({f"{kind}:{k}": v for k, v in getattr(self, kind).items()})
        for name, message in self.email.items():
            out[f"email:{name}"] = message.as_string()
        out["messages"] = "\n".join(self.messages)
        return out


@dataclass
class GroupRun:
    cases: list[Case]
    outputs: Outputs
    locations: dict[str, str]  # case name → what a message names it by
    canary: str
    root: Path


def _clean_environment(mp: pytest.MonkeyPatch) -> None:
    mp.delenv(CONFIG_ENV, raising=False)
    mp.delenv(NOTIFY_ENV, raising=False)
    for env in [*ENV_KEYS.values(), *(EMAIL_ENV_PREFIX + k.upper() for k in EMAIL_KEYS)]:
        mp.delenv(env, raising=False)


def _toml(value: str) -> str:
    return json.dumps(value)


def _write_folder(folder: Path, cases: list[Case]) -> None:
    folder.mkdir(parents=True)
    manifest = [
        '[[article]]\nfile = "good.txt"\ndate = 2025-07-01\nsource = "Good desk"\nurl = "https://good.example/a"\n'
    ]
    (folder / "good.txt").write_text(f"Border trade\n\n{GOOD}\n", encoding="utf-8")
    for case in cases:
        if case.kind == "symlink":
            os.symlink(case.body.decode(), folder / case.file_name)
        else:
            (folder / case.file_name).write_bytes(case.body)
        if case.manifest is not None:
            fields = "".join(f"{k} = {v}\n" for k, v in case.manifest.items())
            manifest.append(f'[[article]]\nfile = "{case.file_name}"\n{fields}')
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")


def _invoke(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run_group(root: Path, group: str, canary: Path) -> GroupRun:
    server = HostileServer()
    handler = Handler()
    smtp = start(handler)
    try:
        folder = root / "incoming"
        if group == "files":
            cases = file_cases(canary)
            _write_folder(folder, cases)
            locations = {c.name: str(folder / c.file_name) for c in cases}
            feeds = ""
        else:
            cases = http_cases(canary, server.port)
            _write_folder(folder, [])
            server.cases = {c.name: c for c in cases}
            locations = {c.name: server.url(c) for c in cases}
            feeds = "".join(
                f"  {{ url = {_toml(server.url(c))}, full_text = {'true' if c.page is not None else 'false'} }},\n"
                for c in cases
            )
        names = [c.name for c in cases]
        assert len(set(names)) == len(names), "case names are unique"
        config = root / "tracker.toml"
        config.write_text(
            f"database_url = {_toml('sqlite:///' + str(root / 'tracker.db'))}\n"
            f"reports_dir = {_toml(str(root / 'reports'))}\n"
            'seeds_dir = ""\n'
            f"folders = [{_toml(str(folder))}]\n"
            f"feeds = [\n{feeds}]\n"
            "[fetch]\n"
            f"connect_timeout = 1\nread_timeout = 1\ntotal_timeout = {TOTAL_TIMEOUT}\n"
            f"max_bytes = {MAX_BYTES}\nretries = 0\nconcurrency = 16\n"
            'allow = ["127.0.0.1", "localhost"]\n'
            "[email]\n"
            f'host = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
            'sender = "tracker@desk.example"\nrecipients = ["analyst@desk.example"]\n',
            encoding="utf-8",
        )
        code, stdout, stderr = _invoke(config, "run", "--as-of", AS_OF)
        assert code in (0, 3), (code, stdout, stderr)
        outputs = collect(root, config, handler, stdout, stderr)
        outputs.server_paths = list(server.paths)
    finally:
        smtp.stop()
        server.close()
    return GroupRun(cases, outputs, locations, canary.read_text(encoding="utf-8"), root)


def collect(root: Path, config: Path, handler: Handler, run_stdout: str, run_stderr: str) -> Outputs:
    out = Outputs()
    reports = root / "reports"
    out.files = sorted(p for p in root.rglob("*") if p.is_file())
    for path in reports.rglob("*"):
        if not path.is_file():
            continue
        name = str(path.relative_to(reports))
        text = path.read_text(encoding="utf-8")
        {".html": out.html, ".md": out.markdown, ".json": out.json, ".atom": out.atom}[path.suffix][name] = text
    assert any(n.endswith(".md") for n in out.markdown), "a digest was written"
    assert handler.received, "the digest was mailed"
    out.email = {f"message {i}": m for i, m in enumerate(handler.received)}
    out.terminal["run (stdout)"] = run_stdout
    out.terminal["run (stderr)"] = run_stderr
    commands: list[list[str]] = [
        ["status"], ["changes"], ["runs", "--messages"], ["sources", "list"], ["review"],
        ["digest", "show", "--format", "text"], ["outbox"], ["--help"], ["run", "--help"],
    ]  # fmt: skip
    ids = [c.id for c in load_catalogue().commitments]
    commands += [["history", cid] for cid in ids]
    for command in commands:
        code, stdout, stderr = _invoke(config, *command)
        assert code == 0, (command, stdout, stderr)
        out.terminal[" ".join(command)] = stdout + stderr
    for what in ("commitments", "statements", "changes", "reviews"):
        out.csv[f"export {what}"] = _invoke(config, "export", "--what", what, "--format", "csv")[1]
        out.json[f"export {what}"] = _invoke(config, "export", "--what", what, "--format", "json")[1]
    csv_commands = [["status", "--csv"], ["changes", "--csv"], ["runs", "--csv", "--messages"], ["review", "--csv"]]
    for command in csv_commands + [["history", cid, "--csv"] for cid in ids]:
        out.csv[" ".join(command)] = _invoke(config, *command)[1]
    json_commands = [["status", "--json"], ["changes", "--json"], ["sources", "list", "--json"], ["runs", "--json"]]
    for command in json_commands + [["history", cid, "--json"] for cid in ids]:
        out.terminal[" ".join(command)] = _invoke(config, *command)[1]
    out.statements = json.loads(out.json["export statements"])
    db = root / "tracker.db"
    out.database = db.read_bytes()
    with sqlite3.connect(db) as conn:
        out.messages = [m for (raw,) in conn.execute("SELECT messages FROM runs") for m in json.loads(raw or "[]")]
        out.articles = list(conn.execute("SELECT title, text, url, summary FROM articles"))
    return out


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("canary") / "secret.txt"
    path.write_text(f"CANARY-{uuid.uuid4().hex}", encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["files", "feeds"])
def group(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, canary: Path) -> Iterator[GroupRun]:
    with pytest.MonkeyPatch.context() as mp:
        _clean_environment(mp)
        root = tmp_path_factory.mktemp(request.param)
        mp.chdir(root)
        run = run_group(root, request.param, canary)
    yield run
    record_count("hostile inputs tried", len(run.cases))
    record_count("hostile outputs checked", len(run.cases) * len(run.outputs.documents()))


# --- how each kind of output is read ----------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ours = tag == "link" and dict(attrs).get("rel") in ("alternate", "stylesheet")
        if tag in ("script", "iframe", "object", "embed", "img", "form", "base", "link", "frame") and not ours:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= attribute on <{tag}>")
            if name == "style" and value and re.search(r"javascript:|expression\(|url\(|evil", value, re.IGNORECASE):
                self.problems.append(f"style={value!r} on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                scheme = SCHEME.match(value)
                if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
                if re.match(r"\s*(https?:)?//evil\.example", value):
                    self.problems.append(f"{name}={value!r} from input on <{tag}>")


def html_problems(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    problems = parser.problems
    if re.search(r"<\s*/?\s*script", text, re.IGNORECASE):
        problems.append("raw <script")
    if re.search(r"""href\s*=\s*["']?\s*javascript:""", text, re.IGNORECASE):
        problems.append("javascript: href")
    if CONTROL.search(text.replace("\t", " ")):
        problems.append(f"control character {CONTROL.search(text.replace(chr(9), ' '))!r}")
    return problems


def markdown_problems(text: str) -> list[str]:
    """The Markdown as a renderer that lets every link through would show it."""
    renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    html = renderer.render(text)
    problems = [f"rendered: {p}" for p in html_problems(html)]
    hrefs = re.findall(r'href="([^"]*)"', html)
    problems += [f"link to {h!r}" for h in hrefs if not h.startswith(("http://", "https://"))]
    if CONTROL.search(text.replace("\t", " ")):
        problems.append("control character")
    return problems


def json_problems(text: str) -> list[str]:
    json.loads(text)
    problems = []
    if re.search(r"<\s*/?\s*script", text, re.IGNORECASE):
        problems.append("raw <script (a page embedding the JSON would run it)")
    if CONTROL.search(text.replace("\t", " ")):
        problems.append("control character")
    return problems


def csv_problems(text: str) -> list[str]:
    problems = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA):
                problems.append(f"formula cell {cell[:40]!r}")
            if CONTROL.search(cell) or "\n" in cell or "\r" in cell:
                problems.append(f"control character in cell {cell[:40]!r}")
    return problems


def atom_problems(text: str) -> list[str]:
    from xml.etree import ElementTree as ET

    try:
        feed = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    problems = []
    for element in feed.iter():
        href = element.get("href")
        if href is not None and not href.startswith(("http://", "https://")):
            problems.append(f"link {href!r}")
        if href is not None and re.match(r"(https?:)?//evil\.example", href):
            problems.append(f"link from input {href!r}")
        for value in (element.text or "", *(element.attrib.values())):
            if CONTROL.search(value.replace("\t", " ").replace("\n", " ")):
                problems.append(f"control character in <{element.tag}>")
    return problems


EXPECTED_HEADERS = {
    "subject", "from", "to", "date", "message-id", "x-tracker-digest", "mime-version", "content-type",
    "content-transfer-encoding",
}  # fmt: skip


def email_problems(message: EmailMessage) -> list[str]:
    problems = []
    for name, value in message.items():
        if name.lower() not in EXPECTED_HEADERS:
            problems.append(f"unexpected header {name!r}")
        if "\r" in str(value) or "\n" in str(value) or CONTROL.search(str(value)):
            problems.append(f"line break or control character in {name}")
    if message.get_all("to") != ["analyst@desk.example"]:
        problems.append(f"recipients {message.get_all('to')}")
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        body = part.get_content().replace("\r\n", "\n")
        if part.get_content_subtype() == "html":
            problems += [f"html part: {p}" for p in html_problems(body)]
        elif CONTROL.search(body.replace("\t", " ")):
            problems.append("control character in the text part")
    return problems


def terminal_problems(text: str) -> list[str]:
    found = CONTROL.search(text.replace("\t", " "))
    return [f"control character {found.group()!r}"] if found else []


def problems_by_output(out: Outputs) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, text in out.html.items():
        found[f"html {name}"] = html_problems(text)
    for name, text in out.markdown.items():
        found[f"markdown {name}"] = markdown_problems(text)
    for name, text in out.json.items():
        found[f"json {name}"] = json_problems(text)
    for name, text in out.csv.items():
        found[f"csv {name}"] = csv_problems(text)
    for name, text in out.atom.items():
        found[f"atom {name}"] = atom_problems(text)
    for name, message in out.email.items():
        found[f"email {name}"] = email_problems(message)
    for name, text in out.terminal.items():
        found[f"terminal {name}"] = terminal_problems(text)
    return found


# --- the tests ----------------------------------------------------------------------------------


def test_every_output_is_clean_for_every_case(group: GroupRun) -> None:
    found = {name: problems for name, problems in problems_by_output(group.outputs).items() if problems}
    assert not found, json.dumps({k: sorted(set(v))[:8] for k, v in found.items()}, indent=1)


def test_no_local_file_content_and_no_request_an_entity_asked_for(group: GroupRun) -> None:
    everything = {**group.outputs.documents(), "database": group.outputs.database.decode("latin-1")}
    for name, text in everything.items():
        assert group.canary not in text, name
        assert PASSWD not in text, name
        assert "SSRF-REACHED" not in text, name
        assert f"PATH={os.environ.get('PATH')}" not in text, name  # /proc/self/environ
    # The server was asked only for the feeds (no DTD, no external entity).
    asked = {p.lstrip("/").split("?")[0].removesuffix("~article") for p in group.outputs.server_paths}
    assert asked <= {c.name for c in group.cases}, sorted(asked - {c.name for c in group.cases})


def test_messages_are_one_line_each_and_the_run_goes_on(group: GroupRun) -> None:
    out = group.outputs
    for message in out.messages:
        assert "\n" not in message and "\r" not in message, message
    # The good article of the group was read, made a change, and reached the digest and the email.
    assert any("Lipulekh" in (a[1] or "") for a in out.articles)
    assert any("Lipulekh pass" in text for text in out.markdown.values())
    assert any("Lipulekh pass" in m.as_string() for m in out.email.values())


def test_file_names_carry_no_input(group: GroupRun) -> None:
    reports = group.root / "reports"
    incoming = group.root / "incoming"
    for path in group.outputs.files:
        relative = path.relative_to(group.root)
        if path.is_relative_to(incoming):
            continue
        assert re.fullmatch(r"[\w.@+-]+", path.name), relative
        assert "escaped" not in str(relative)
        if path.is_relative_to(reports):
            assert path.resolve().is_relative_to(reports.resolve())
    assert not (group.root.parent / "escaped").exists()


def _named(case: Case, group: GroupRun) -> list[str]:
    where = group.locations[case.name]
    shown = (where, clean_line(where), f"/{case.name}", f"/{clean_line(case.name)}")
    return [m for m in group.outputs.messages if any(w in m for w in shown)]


def test_each_case_is_read_cleanly_or_refused_with_a_message_naming_it(group: GroupRun) -> None:
    out = group.outputs
    stored = "\n".join(" ".join(a) for a in out.articles)
    shown = json.dumps(out.statements, ensure_ascii=False)
    wrong = []
    for case in group.cases:
        named = _named(case, group)
        read = case.marker is not None and case.marker in stored
        if case.expect == READ and case.marker is not None:
            if not read:
                wrong.append(f"{case.name}: not read ({named})")
            elif case.marker not in shown:
                wrong.append(f"{case.name}: read but its statement is not in the exports")
        elif case.expect == REFUSE:
            if not any(m.startswith(("error:", "warning:")) for m in named):
                wrong.append(f"{case.name}: no error naming it ({named})")
        elif case.expect == EITHER and case.marker is not None and not (read or named):
            wrong.append(f"{case.name}: neither read nor named in a message")
    assert not wrong, "\n".join(wrong)


def test_endless_and_slow_answers_are_stopped_by_the_limits(group: GroupRun) -> None:
    if group.cases[0].kind == "file":
        big = _named(next(c for c in group.cases if c.name == "huge-line-5mb"), group)
        assert any("byte limit" in m for m in big), big
        cut = _named(next(c for c in group.cases if c.name == "long-line-4mb"), group)
        assert any("cut to its first" in m for m in cut), cut
        return
    by_name = {c.name: _named(c, group) for c in group.cases}
    for name in ("endless-body", "endless-chunked", "huge-length", "gzip-bomb", "deflate-bomb"):
        assert any(f"{MAX_BYTES} byte limit" in m for m in by_name[name]), (name, by_name[name])
    assert any("only the first 1000 are read" in m for m in by_name["many-entries"]), by_name["many-entries"]
    for name in ("page-endless", "page-gzip-bomb"):
        assert any("byte limit" in m and "feed's text is kept" in m for m in by_name[name]), (name, by_name[name])
    for name in ("trickle-body", "trickle-headers", "hang-silent", "page-trickle"):
        assert any("deadline" in m or "timed out" in m for m in by_name[name]), (name, by_name[name])


def test_the_suite_tried_at_least_a_hundred_inputs(canary: Path, tmp_path: Path) -> None:
    total = len(file_cases(canary)) + len(http_cases(canary, 1))
    assert total >= 100, total
    for cases in (file_cases(canary), http_cases(canary, 1)):
        assert len({c.name for c in cases}) == len(cases), "each case has a name of its own"


# --- subscription lists --------------------------------------------------------------------------

OPML_CASES = opml_cases(Path("/nonexistent/canary"))


@pytest.mark.parametrize("name", [c.name for c in OPML_CASES])
def test_a_hostile_subscription_list(name: str, tmp_path: Path, canary: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xml.etree import ElementTree as ET

    _clean_environment(monkeypatch)
    monkeypatch.chdir(tmp_path)
    case = next(c for c in opml_cases(canary) if c.name == name)
    path = tmp_path / f"{case.name}.opml"
    path.write_bytes(case.body)
    db = ["--database-url", f"sqlite:///{tmp_path / 'tracker.db'}"]
    CliRunner().invoke(main, [*db, "init"], catch_exceptions=False)

    imported = CliRunner().invoke(main, [*db, "sources", "import", str(path)], catch_exceptions=False)
    shown = {
        "import": imported.output,
        "sources list": CliRunner().invoke(main, [*db, "sources", "list"], catch_exceptions=False).output,
        "sources list --json": CliRunner().invoke(main, [*db, "sources", "list", "--json"]).output,
    }
    exported = CliRunner().invoke(main, [*db, "sources", "export"], catch_exceptions=False).output
    record_count("hostile inputs tried")
    record_count("hostile outputs checked", len(shown) + 1)

    for what, text in shown.items():
        assert not terminal_problems(text), (what, text)
        assert canary.read_text(encoding="utf-8") not in text
    lines = [line for line in imported.output.splitlines() if line.strip()]
    if case.expect == REFUSE:
        assert imported.exit_code != 0
        assert len(lines) == 1 and str(path) in lines[0], imported.output
    else:
        assert imported.exit_code == 0, imported.output
    if case.expect == READ:
        assert "127.0.0.1:9" in shown["sources list"]
    # The exported list is well-formed OPML whose feeds are all web addresses, names on one line.
    root = ET.fromstring(exported)
    for node in root.iter("outline"):
        assert node.get("xmlUrl", "").startswith(("http://", "https://"))
        assert not CONTROL.search(node.get("title", "") + node.get("xmlUrl", ""))


def test_what_is_stored_stays_within_the_bounds(group: GroupRun) -> None:
    """Memory and work per article are bounded by what is kept: texts are cut, lines broken."""
    for title, text, url, summary in group.outputs.articles:
        # Cut at the cap, then long runs broken by inserted paragraph breaks.
        assert len(text) - 2 * text.count("\n\n") <= MAX_TEXT_CHARS, url
        assert len(summary) - 2 * summary.count("\n\n") <= MAX_TEXT_CHARS // 10, url
        assert max((len(p) for p in re.split(r"[.!?。\n]", text)), default=0) <= MAX_SENTENCE_CHARS, url
        assert len(title) <= MAX_TITLE_CHARS, url
    # Nothing larger than the fetch cap was kept from any answer, and the database stays small.
    assert len(group.outputs.database) < 40 * MAX_BYTES


def test_sources_stored_by_an_older_version_print_no_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name, address or error in the database from before names were cleaned is cleaned when shown."""
    _clean_environment(monkeypatch)
    db = ["--database-url", f"sqlite:///{tmp_path / 'tracker.db'}"]
    added = CliRunner().invoke(
        main, [*db, "sources", "add", "http://127.0.0.1:9/f.xml", "--name", "Desk\x1b]0;pwned\x07"]
    )
    assert added.exit_code == 0, added.output
    with sqlite3.connect(tmp_path / "tracker.db") as conn:
        conn.execute("UPDATE sources SET last_error = ?, name = name || ?", ("HTTP 500\x1b[2J\r\nx\u202e", "\x9b2J\n"))
    listed = CliRunner().invoke(main, [*db, "sources", "list"])
    removed = CliRunner().invoke(main, [*db, "sources", "remove", "http://127.0.0.1:9/f.xml"])
    record_count("hostile inputs tried")
    for result in (added, listed, removed):
        assert result.exit_code == 0, result.output
        assert not terminal_problems(result.output), result.output
        assert "pwned" not in result.output
    assert "error: HTTP 500" in listed.output


def test_the_atom_feed_is_well_formed_whatever_a_stored_digest_holds() -> None:
    """A digest stored before texts were cleaned (or by a template of one's own) still makes a valid feed."""
    from datetime import UTC, date, datetime
    from xml.etree import ElementTree as ET

    from tracker.delivery.atom import atom_feed
    from tracker.model import StoredDigest

    dirty = "x\x00\x0b\x1b[2J\ufffe\uffff\ud800y <script>alert(1)</script> ]]>"
    change = {
        "commitment": "air-services", "commitment_title": "Flights " + dirty, "date": "2025-07-01",
        "from_status": None, "to_status": "agreed", "setback": False, "kind": "new",
        "source_url": "https://wire.example/" + dirty, "article_title": dirty, "source_name": dirty, "evidence": dirty,
    }  # fmt: skip
    digest = StoredDigest(1, date(2025, 12, 1), datetime(2025, 12, 1, tzinfo=UTC), 1, (), {"changes": [change]})
    record_count("hostile inputs tried")
    feed = atom_feed([digest], "India–China " + dirty)
    assert not atom_problems(feed), atom_problems(feed)
    assert "&lt;script&gt;" in feed
    assert ET.fromstring(feed.encode("utf-8")).find("{http://www.w3.org/2005/Atom}entry") is not None
