"""Fixture articles for the output tests: hostile strings, two governments' versions of one day,
and a weak report of a setback (unconfirmed under a threshold of 0.65)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# What an article may carry: a script, a javascript: link, a tracking image, a window
# title escape, a screen clear, rich markup and a spreadsheet formula.
SCRIPT = "<script>alert(1)</script>"
JS_LINK = "[x](javascript:alert(1))"
PIXEL = "![](http://evil.example/pixel.png)"
TITLE_ESCAPE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
MARKUP = "[link=javascript:alert(2)]click[/link]"
FORMULA = '=HYPERLINK("http://evil.example","x")'

HOSTILE_TITLE = f"Talks {SCRIPT} {JS_LINK} {PIXEL} {TITLE_ESCAPE}"
HOSTILE_SOURCE = f"Wire {JS_LINK} {PIXEL} {CLEAR}"
HOSTILE_URL = "javascript:alert(5)"


def _toml(text: str) -> str:
    """A TOML basic string holding any text."""
    escaped = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in text)
    return f'"{escaped}"'


def write_fixture_articles(folder: Path) -> Path:
    """A folder of articles (with a manifest) to ingest beside the seeds."""
    folder.mkdir(parents=True, exist_ok=True)
    articles = [
        (
            "hostile.txt",
            "2025-07-01",
            HOSTILE_SOURCE,
            HOSTILE_URL,
            HOSTILE_TITLE,
            f"India and China agreed to resume direct flights {JS_LINK} and {SCRIPT} {TITLE_ESCAPE}{CLEAR} today. "
            f"{FORMULA} India and China agreed to ease visas. "
            f"India and China agreed to resume border trade {MARKUP} {PIXEL}",
        ),
        (
            "mea.txt",
            "2025-08-19",
            "Ministry of External Affairs",
            "https://www.mea.gov.in/press/2025-08-19-readout",
            "Readout of the Special Representatives' talks",
            "India and China agreed to resume data sharing on trans-border rivers, "
            "the Ministry of External Affairs said.",
        ),
        (
            "mfa.txt",
            "2025-08-19",
            "Ministry of Foreign Affairs of China",
            "https://www.fmprc.gov.cn/eng/2025-08-19-readout",
            "Wang Yi holds talks with the Indian side",
            "China and India agreed to expedite the resumption of hydrological data sharing on trans-border rivers, "
            "the Chinese foreign ministry said.",
        ),
        (
            "wire.txt",
            "2025-07-01",
            "Press Trust",
            "https://press.example/2025/07/01/flights",
            "Flights to resume",
            "India and China agreed to resume direct flights between the two countries.",
        ),
        (
            "airline.txt",
            "2025-09-10",
            "Travel Trade Weekly",
            "https://traveltrade.example/2025/09/flights",
            "Airlines wait on Delhi and Beijing",
            "India and China held talks.\n\nAn airline said the direct flights remain suspended.",
        ),
    ]
    manifest = []
    for name, day, source, url, title, body in articles:
        (folder / name).write_text(f"{title.splitlines()[0]}\n\n{body}\n", encoding="utf-8")
        manifest.append(
            f"[[article]]\nfile = {_toml(name)}\ndate = {day}\nsource = {_toml(source)}\n"
            f"url = {_toml(url)}\ntitle = {_toml(title)}\n"
        )
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    # A file without a manifest entry and without a date: a warning that names it.
    (folder / f"undated{TITLE_ESCAPE}.txt").write_text("Nothing here\n\nNo commitment is named.\n", encoding="utf-8")
    return folder


# --- the hostile-input suite's cases -----------------------------------------------------------
#
# Each case is one file in a folder the run follows, or one answer of a loopback HTTP server
# for a feed the run follows. `expect` says what the run must do with it: read it (cleaned),
# refuse it with a one-line error naming it, or either (what matters then is that every
# output stays clean and the run goes on).

READ, REFUSE, EITHER = "read", "refuse", "either"
# The sentence that makes an article a statement (so its title, source and link reach every output).
AGREED = "India and China agreed to resume direct flights between the two countries."


@dataclass(frozen=True)
class Case:
    name: str  # unique; the file's stem or the URL's path
    kind: str  # "file" (an article .txt), "feedfile" (a feed .xml in the folder) or "http" (a feed served)
    body: bytes = b""
    expect: str = EITHER
    # File cases: the manifest entry's fields (TOML values, already quoted), or None for no entry.
    manifest: dict[str, str] | None = None
    # HTTP cases: how the server answers (see HostileServer.answer).
    behaviour: str = "plain"
    content_type: str = "application/rss+xml"
    headers: tuple[tuple[str, str], ...] = ()
    # Text that must reach the outputs when the case is read.
    marker: str | None = None
    suffix: str = ""
    # HTTP cases whose entry links to an article page on the same server (fetched for its full text):
    # the page's body and how it is served.
    page: bytes | None = None
    page_behaviour: str = "plain"
    page_type: str = "text/html; charset=utf-8"

    @property
    def file_name(self) -> str:
        return self.name + (self.suffix or (".txt" if self.kind in ("file", "symlink") else ".xml"))


def rss(items: list[dict[str, str]], title: str = "Hostile wire", extra_head: str = "", prolog: str = "") -> bytes:
    """RSS 2.0 with raw (already escaped where wanted) element contents."""
    body = ""
    for item in items:
        body += "<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>"
    head = prolog or '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{head}{extra_head}<rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


def item(marker: str, text: str = AGREED, day: str = "Tue, 01 Jul 2025 10:00:00 GMT", **fields: str) -> dict[str, str]:
    """One RSS item whose text makes a statement; fields override title, link, guid, pubDate, description."""
    values = {
        "title": f"Flights {marker}",
        "link": f"https://wire.example/{marker}",
        "guid": f"https://wire.example/{marker}",
        "pubDate": day,
        "description": f"<![CDATA[{text} {marker}]]>",
    }
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 500


def gzip_bomb(size: int) -> bytes:
    import gzip

    return gzip.compress(b"\x00" * size, compresslevel=9)


INJECTIONS: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "script-upper": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "div-onclick": '<div onclick="alert(1)">x</div>',
    "a-javascript": '<a href="javascript:alert(1)">x</a>',
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "style-expr": "<style>body{background:url(javascript:alert(1))}</style>",
    "close-textarea": "</textarea></title><script>alert(1)</script>",
    "attr-break": '" onmouseover="alert(1)" x="',
    "md-link": "[click](javascript:alert(1))",
    "md-link-http": "[click](http://evil.example/phish)",
    "md-image": "![](http://evil.example/pixel.png)",
    "md-ref": "[a]: javascript:alert(1)",
    "md-autolink": "<javascript:alert(1)>",
    "md-html-comment": "<!-- x --><b onmouseover=alert(1)>b</b>",
    "md-heading": "# Heading\n\n---\n\n> quote",
    "md-table": "| a | b |\n|---|---|\n| <script> | x |",
    "md-entity": "&#106;avascript:alert(1) &lt;script&gt;",
    "csv-equals": '=HYPERLINK("http://evil.example","x")',
    "csv-plus": "+cmd|' /C calc'!A0",
    "csv-minus": "-2+3+cmd|' /C calc'!A0",
    "csv-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "csv-tab": "\t=1+1",
    "ansi-clear": "\x1b[2J\x1b[H",
    "ansi-title": "\x1b]0;pwned\x07",
    "ansi-link": "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "c1-csi": "\x9b2J\x9d0;pwned\x9c",
    "bidi": "\u202eevil\u202c \u2066x\u2069",
    "crlf": "Wire\r\nBcc: victim@evil.example\r\nSubject: injected",
    "nul-ctrl": "a\x00b\x01c\x08d\x0be\x0cf\x7fg",
    "jinja": "{{ 7*7 }} {% raw %} {{ config }}",
    "cdata-end": "]]><evil/>",
    "dotdot": "../../../../tmp/escaped",
    "nonchar": "\ufffe\uffff\ufff9x\ufffb \U0001fffe",
}


def _toml_value(text: str) -> str:
    return _toml(text)


def file_cases(canary: Path) -> list[Case]:
    """Article files (with manifest entries, hostile or not) and feed files in one followed folder."""
    cases: list[Case] = []
    # Injection into the title, the source name, the text and the link, each through the manifest.
    for key, payload in INJECTIONS.items():
        marker = f"ft{len(cases):03d}"
        cases.append(
            Case(
                f"title-{key}",
                "file",
                f"{marker} headline\n\n{AGREED} {marker}\n".encode(),
                READ,
                manifest={
                    "date": "2025-07-01",
                    "source": _toml(f"Desk {marker}"),
                    "title": _toml(f"{payload} {marker}"),
                },
                marker=marker,
            )
        )
    for key in ("script", "md-link", "md-image", "csv-equals", "csv-plus", "ansi-title", "crlf", "bidi", "dotdot"):
        marker = f"fs{len(cases):03d}"
        cases.append(
            Case(
                f"source-{key}",
                "file",
                f"{marker} headline\n\n{AGREED} {marker}\n".encode(),
                READ,
                manifest={"date": "2025-07-01", "source": _toml(f"{INJECTIONS[key]} {marker}")},
                marker=marker,
            )
        )
    for key in (
        "script",
        "a-javascript",
        "img-onerror",
        "md-link",
        "md-image",
        "md-ref",
        "csv-equals",
        "csv-at",
        "ansi-clear",
        "c1-csi",
        "crlf",
        "nul-ctrl",
        "jinja",
        "cdata-end",
        "nonchar",
    ):
        marker = f"fx{len(cases):03d}"
        payload = INJECTIONS[key].replace("\x00", "")  # NUL has a case of its own: the file is refused
        cases.append(
            Case(
                f"text-{key}",
                "file",
                f"{marker} headline\n\n{payload} {AGREED} {payload} {marker}\n".encode(),
                READ,
                manifest={"date": "2025-07-01", "source": _toml(f"Desk {marker}")},
                marker=marker,
            )
        )
    links = {
        "javascript": "javascript:alert(1)",
        "javascript-mixed": " JaVaScRiPt:alert(1)",
        "javascript-tab": "java\tscript:alert(2)",
        "vbscript": "vbscript:msgbox(1)",
        "data": "data:text/html,<script>alert(1)</script>",
        "file": f"file://{canary}",
        "quote": 'https://ok.example/a" onmouseover="alert(1)',
        "angle": "https://ok.example/<script>alert(1)</script>",
        "newline": "https://ok.example/a\r\nSet-Cookie: x=1",
        "md-paren": "https://ok.example/a) ![x](http://evil.example/p.png",
    }
    for key, url in links.items():
        marker = f"fl{len(cases):03d}"
        cases.append(
            Case(
                f"link-{key}",
                "file",
                f"{marker} headline\n\n{AGREED} {marker}\n".encode(),
                READ,
                manifest={"date": "2025-07-01", "source": _toml(f"Desk {marker}"), "url": _toml(url)},
                marker=marker,
            )
        )
    # File names that carry what must not reach a terminal, a message line or a spreadsheet: read
    # without a manifest entry (dated from the text), so a warning names each.
    for index, name in enumerate(
        (
            "line\nbreak",
            "cr\r\nBcc: victim@evil.example",
            "esc\x1b]0;pwned\x07",
            "=cmd|calc",
            "<script>alert(1)",
            "bidi\u202eevil",
            "c1\x9b2J",
            # Bytes that are not UTF-8 in a file name (Python holds them as lone surrogates).
            os.fsdecode(b"latin1-\xe9t\xe9-\xff"),
        )
    ):
        marker = f"fn{index:03d}"
        cases.append(
            Case(
                f"{name}-{marker}",
                "file",
                f"Flights {marker}\n\nOn 1 July 2025, {AGREED} {marker}\n".encode(),
                READ,
                marker=marker,
            )
        )
    # Links in the folder to files outside it: a local file's content must never become an article.
    for name, target in (
        ("link-canary", str(canary)),
        ("link-passwd", "/etc/passwd"),
        ("link-environ", "/proc/self/environ"),
    ):
        cases.append(
            Case(name, "symlink", target.encode(), REFUSE, manifest={"date": "2025-07-01", "source": '"Desk"'})
        )
    cases.append(Case("link-inside", "symlink", b"good.txt", EITHER))
    # Dates.
    for key, day, expect in (
        # Outside the window of days the tracker accepts: the manifest entry is refused, naming the file.
        ("date-9999", "9999-12-31", REFUSE),
        ("date-1900", "1900-01-01", REFUSE),
        ("date-0001", "0001-01-01", REFUSE),
        ("date-garbage", '"the day after tomorrow"', REFUSE),
        ("date-bad-month", '"2025-13-45"', REFUSE),
        ("date-number", "20250701", REFUSE),
        ("date-none", None, REFUSE),
    ):
        marker = f"fd{len(cases):03d}"
        entry = {"source": _toml(f"Desk {marker}")}
        if day is not None:
            entry["date"] = day
        cases.append(
            Case(
                key,
                "file",
                f"{marker} headline\n\n{AGREED} {marker}\n".encode(),
                expect,
                manifest=entry,
                marker=marker if expect == READ and key != "date-9999" else None,
            )
        )
    # Undated files without a manifest entry: dated from the text or the file's time, with a warning.
    cases.append(
        Case("undated-text-date", "file", f"Flights\n\nOn 1 July 2025, {AGREED} fu001\n".encode(), READ, marker="fu001")
    )
    # Dated from the file's modification time (today): after the run's day, so deferred, with a warning.
    cases.append(Case("undated-none", "file", f"Flights\n\n{AGREED} fu002\n".encode(), EITHER, marker="fu002"))
    cases.append(Case("undated-year-9999", "file", f"Flights\n\nOn 1 July 9999, {AGREED} fu003\n".encode(), READ))

    # Encodings and bytes.
    def plain(marker: str) -> str:
        return f"Flights {marker}\n\n{AGREED} Café déjà vu. {marker}\n"

    encoded = [
        ("enc-cp1252", plain("fe001").encode("cp1252"), READ, "fe001"),
        ("enc-utf8-bom", b"\xef\xbb\xbf" + plain("fe002").encode(), READ, "fe002"),
        ("enc-utf16-bom", plain("fe003").encode("utf-16"), EITHER, "fe003"),
        ("enc-utf16-nobom", plain("fe004").encode("utf-16-le"), EITHER, "fe004"),
        ("enc-shift-jis", ("日本語の記事です。" * 20 + "\n").encode("shift_jis"), EITHER, None),
        ("enc-invalid-utf8", b"Flights\n\n" + b"\xff\xfe\xfd\xc3\x28\xa0\xa1" * 50 + b"\n", REFUSE, None),
        ("enc-mixed", plain("fe007").encode() + "Ümläut".encode("latin-1") + b"\n", EITHER, "fe007"),
        # Read as some code page (with a warning), or refused: either way named.
        ("enc-overlong", b"Flights fe008\n\n\xc0\xaf\xe0\x80\xaf " + AGREED.encode() + b"\n", EITHER, "fe008"),
        ("enc-surrogate", b"Flights fe009\n\n\xed\xa0\x80\xed\xbf\xbf " + AGREED.encode() + b"\n", EITHER, "fe009"),
        (
            "enc-utf7",
            b"Flights fe010\n\n+ADw-script+AD4-alert(1)+ADw-/script+AD4- " + AGREED.encode() + b" fe010\n",
            READ,
            "fe010",
        ),
        ("nul-bytes", b"Flights\n\n" + AGREED.encode() + b"\x00\x00\x00 fe011\n", REFUSE, None),
        ("only-nul", b"\x00" * 4096, REFUSE, None),
        (
            "controls-c0",
            b"Flights fe013 \x1b[31mred\x1b[0m\n\n" + AGREED.encode() + b" \x07\x08\x1b]0;pwned\x07 fe013\n",
            READ,
            "fe013",
        ),
        ("zero-width", f"Fli\u200bghts fe014\n\n{AGREED} \u200b\ufeff\u2060 fe014\n".encode(), READ, "fe014"),
        (
            "zalgo",
            ("Flights fe015 " + "e\u0301\u0302\u0303\u0304" * 30 + f"\n\n{AGREED} fe015\n").encode(),
            READ,
            "fe015",
        ),
        ("empty", b"", REFUSE, None),
        ("whitespace", b" \n\t\n \r\n", REFUSE, None),
        ("png", PNG, REFUSE, None),
        ("pdf", PDF, REFUSE, None),
        ("elf", ELF, REFUSE, None),
        ("gzip", gzip_bomb(1_000_000), REFUSE, None),
    ]
    for name, data, expect, marker in encoded:
        cases.append(
            Case(name, "file", data, expect, manifest={"date": "2025-07-01", "source": '"Desk"'}, marker=marker)
        )
    # Sizes and shapes that cost work: a 5 MB line (over the cap: refused), one just under it (cut), and
    # texts that punish a careless parser.
    line = (AGREED + " ") * 40 + "x" * 64
    cases += [
        Case(
            "huge-line-5mb",
            "file",
            b"Flights\n\n" + b"a" * (5 * 1024 * 1024) + b"\n",
            REFUSE,
            manifest={"date": "2025-07-01", "source": '"Desk"'},
        ),
        Case(
            "long-line-4mb",
            "file",
            ("Flights\n\n" + (line * (4_000_000 // len(line)))[:4_000_000] + " fz002\n").encode(),
            READ,
            manifest={"date": "2025-07-01", "source": '"Desk"'},
        ),
        Case(
            "one-word-1mb",
            "file",
            b"Flights\n\n" + b"b" * 1_000_000 + b"\n",
            READ,
            manifest={"date": "2025-07-01", "source": '"Desk"'},
        ),
        Case(
            "brackets-deep",
            "file",
            b"Flights\n\n" + b"[" * 200_000 + b"(" * 200_000 + b"\n",
            READ,
            manifest={"date": "2025-07-01", "source": '"Desk"'},
        ),
        Case(
            "markdown-deep",
            "file",
            b"Flights\n\n" + b"> " * 50_000 + b"* " * 50_000 + b"x\n",
            READ,
            manifest={"date": "2025-07-01", "source": '"Desk"'},
        ),
        Case(
            "many-lines",
            "file",
            b"Flights\n\n" + b"India and China.\n" * 200_000,
            READ,
            manifest={"date": "2025-07-01", "source": '"Desk"'},
        ),
        Case(
            "long-title-line",
            "file",
            ("T" * 100_000 + f"\n\n{AGREED} fz007\n").encode(),
            EITHER,
            manifest={"date": "2025-07-01", "source": '"Desk"'},
            marker="fz007",
        ),
    ]
    # Feed files in the folder.
    cases += [
        Case(f"feedfile-{c.name}", "feedfile", c.body, c.expect, marker=c.marker)
        for c in feed_documents(canary)
        if c.name in FEED_FILE_CASES
    ]
    return cases


FEED_FILE_CASES = {
    "billion-laughs",
    "quadratic",
    "xxe-passwd",
    "xxe-canary",
    "deep-nesting",
    "html-page",
    "png",
    "feed-title-script",
}


def feed_documents(canary: Path, port: int = 0) -> list[Case]:
    """Feed documents, served over HTTP (and some also read as feed files)."""
    c: list[Case] = []
    laughs = (
        '<!DOCTYPE r [<!ENTITY a "lollollollollollollollollollol">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>"
    )
    c.append(
        Case(
            "billion-laughs",
            "http",
            rss([item("hb001", description="&j;")], prolog='<?xml version="1.0"?>' + laughs),
            EITHER,
        )
    )
    quad = '<!DOCTYPE r [<!ENTITY q "' + "Q" * 50_000 + '">]>'
    c.append(
        Case(
            "quadratic",
            "http",
            rss([item("hb002", description="&q;" * 20_000)], prolog='<?xml version="1.0"?>' + quad),
            EITHER,
        )
    )
    xxe = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    c.append(Case("xxe-passwd", "http", rss([item("hb003", description="&x;")], prolog='<?xml version="1.0"?>' + xxe)))
    xxe = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{canary}">]>'
    c.append(
        Case(
            "xxe-canary",
            "http",
            rss([item("hb004", title="&x;", description="&x; " + AGREED)], prolog='<?xml version="1.0"?>' + xxe),
        )
    )
    xxe = f'<!DOCTYPE r [<!ENTITY % p SYSTEM "file://{canary}"> %p;]>'
    c.append(Case("xxe-parameter", "http", rss([item("hb005")], prolog='<?xml version="1.0"?>' + xxe)))
    if port:
        dtd = f'<!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/evil.dtd">'
        c.append(Case("xxe-remote-dtd", "http", rss([item("hb006")], prolog='<?xml version="1.0"?>' + dtd)))
        xxe = f'<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/evil.dtd">]>'
        c.append(
            Case(
                "xxe-remote-entity",
                "http",
                rss([item("hb007", description="&x;")], prolog='<?xml version="1.0"?>' + xxe),
            )
        )
    c.append(
        Case(
            "xinclude",
            "http",
            rss(
                [
                    item(
                        "hb008",
                        description='<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                        f'href="file://{canary}" parse="text"/>',
                    )
                ]
            ),
        )
    )
    c.append(
        Case(
            "deep-nesting",
            "http",
            b'<?xml version="1.0"?><rss version="2.0"><channel>'
            + b"<a>" * 100_000
            + b"</a>" * 100_000
            + b"</channel></rss>",
        )
    )
    c.append(
        Case(
            "deep-html-content",
            "http",
            rss([item("hb010", description="<![CDATA[" + "<div>" * 50_000 + AGREED + " hb010]]>")]),
            READ,
            marker="hb010",
        )
    )
    c.append(
        Case(
            "html-page",
            "http",
            b"<!doctype html><html><head><title>Not a feed</title></head><body><p>"
            + AGREED.encode()
            + b"</p><script>alert(1)</script></body></html>",
            REFUSE,
            content_type="text/html",
        )
    )
    c.append(Case("png", "http", PNG, REFUSE, content_type="image/png"))
    c.append(Case("pdf", "http", PDF, REFUSE, content_type="application/pdf"))
    c.append(Case("gzip-file", "http", gzip_bomb(100_000), REFUSE, content_type="application/gzip"))
    c.append(
        Case(
            "json",
            "http",
            b'{"items": [{"title": "<script>alert(1)</script>"}]}',
            REFUSE,
            content_type="application/json",
        )
    )
    c.append(Case("empty-body", "http", b"", REFUSE))
    c.append(Case("truncated", "http", rss([item("hb017"), item("hb017b")])[:-60], EITHER))
    c.append(Case("invalid-utf8", "http", rss([item("hb018")]).replace(b"Flights", b"Fl\xff\xfeights"), EITHER))
    c.append(
        Case(
            "latin1-declared-utf8",
            "http",
            rss([item("hb019", text=AGREED + " Café")]).replace("é".encode(), b"\xe9"),
            EITHER,
        )
    )
    c.append(
        Case(
            "utf16",
            "http",
            rss([item("hb020")]).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
            EITHER,
        )
    )
    c.append(
        Case(
            "charset-bogus",
            "http",
            rss([item("hb021")]),
            READ,
            content_type="application/rss+xml; charset=x-evil-../../",
            marker="hb021",
        )
    )
    c.append(
        Case(
            "utf7",
            "http",
            rss([item("hb022", title="+ADw-script+AD4-alert(1)+ADw-/script+AD4-")]).replace(
                b'encoding="UTF-8"', b'encoding="UTF-7"'
            ),
            EITHER,
            content_type="application/rss+xml; charset=utf-7",
        )
    )
    c.append(Case("nul-in-feed", "http", rss([item("hb023", text=AGREED + "\x00\x00")]), EITHER))
    c.append(
        Case(
            "controls-in-feed",
            "http",
            rss(
                [
                    item(
                        "hb024",
                        title="\x1b]0;pwned\x07\x1b[2J\x9b2J title",
                        text="\x1b]8;;http://evil.example\x1b\\x\x1b]8;;\x1b\\ " + AGREED,
                    )
                ]
            ),
            EITHER,
        )
    )
    for key, day in (
        ("9999", "Fri, 31 Dec 9999 23:59:59 GMT"),
        ("1900", "Mon, 01 Jan 1900 00:00:00 GMT"),
        ("garbage", "yesterday-ish"),
        ("none", None),
        ("year-0", "Sat, 01 Jan 0000 00:00:00 GMT"),
        ("negative", "-1"),
        ("epoch", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("tz-extreme", "Tue, 01 Jul 2025 10:00:00 +9999"),
    ):
        c.append(Case(f"date-{key}", "http", rss([item(f"hd-{key}", day=day)]), EITHER))  # type: ignore[arg-type]
    for key in (
        "script",
        "a-javascript",
        "img-onerror",
        "md-link",
        "md-image",
        "csv-equals",
        "csv-minus",
        "ansi-title",
        "crlf",
        "bidi",
        "attr-break",
        "cdata-end",
        "dotdot",
        "jinja",
        "nonchar",
    ):
        payload = INJECTIONS[key]
        marker = f"hi{len(c):03d}"
        c.append(
            Case(
                f"entry-{key}",
                "http",
                rss([item(marker, title=_xml_escape(payload + " " + marker), text=payload + " " + AGREED)]),
                READ,
                marker=marker,
            )
        )
    for key in ("script", "md-link", "csv-plus", "ansi-clear", "crlf", "dotdot"):
        marker = f"hn{len(c):03d}"
        c.append(
            Case(
                f"feed-title-{key}",
                "http",
                rss([item(marker)], title=_xml_escape(INJECTIONS[key] + " " + marker)),
                READ,
                marker=marker,
            )
        )
    for key, link in (
        ("javascript", "javascript:alert(1)"),
        ("data", "data:text/html;base64,PHNjcmlwdD4="),
        ("file", f"file://{canary}"),
        ("quote", 'https://ok.example/" onclick="alert(1)'),
        ("entity", "&#106;avascript:alert(1)"),
    ):
        marker = f"hl{len(c):03d}"
        c.append(
            Case(
                f"entry-link-{key}",
                "http",
                rss([item(marker, link=_xml_escape(link), guid=_xml_escape(link) + marker)]),
                READ,
                marker=marker,
            )
        )
    author = "<author>x@example.org (<script>alert(1)</script> \x1b]0;pwned\x07 =cmd)</author>"
    c.append(
        Case(
            "entry-author",
            "http",
            rss([item("ha001")]).replace(b"<item>", b"<item>" + author.encode()),
            READ,
            marker="ha001",
        )
    )
    # Character references to what no text may hold: surrogates, NUL, past U+10FFFF, noncharacters.
    refs = (
        ("surrogate", "&#xD800;"),
        ("surrogate-decimal", "&#57343;"),
        ("nul", "&#0;"),
        ("past-unicode", "&#x110000;"),
        ("padded", "&#x000000000D800;"),
        ("long-padded", "&#x" + "0" * 5000 + "D800;&#" + "0" * 5000 + "55296;"),
        ("huge-decimal", "&#" + "9" * 5000 + ";"),
        ("nonchar", "&#xFFFE;&#xFFFF;"),
        ("escape", "&#27;]0;pwned&#7;"),
    )
    for key, ref in refs:
        marker = f"hr{len(c):03d}"
        entry = item(marker, title=f"Flights {ref} {marker}", text=f"{ref} " + AGREED)
        c.append(Case(f"charref-{key}", "http", rss([entry]), EITHER, marker=marker))
    c.append(
        Case(
            "many-entries", "http", rss([item(f"hm{i:04d}", text="Nothing tracked here.") for i in range(2000)]), EITHER
        )
    )
    return c


def http_cases(canary: Path, port: int) -> list[Case]:
    """Feeds served by the hostile server: documents, then answers that misbehave at the HTTP level."""
    cases = feed_documents(canary, port)
    behaviours = [
        ("trickle-body", "trickle"),
        ("trickle-headers", "trickle-headers"),
        ("hang-silent", "hang"),
        ("endless-body", "endless"),
        ("endless-chunked", "endless-chunked"),
        ("huge-length", "huge-length"),
        ("gzip-bomb", "gzip-bomb"),
        ("deflate-bomb", "deflate-bomb"),
        ("status-500", "500"),
        ("status-404", "404"),
        ("status-410", "410"),
        ("status-403", "403"),
        ("redirect-loop", "redirect-loop"),
        ("redirect-file", "redirect-file"),
        ("redirect-javascript", "redirect-javascript"),
        ("reset", "reset"),
        ("not-http", "not-http"),
        ("bad-headers", "bad-headers"),
        ("lying-length", "lying-length"),
    ]
    for name, behaviour in behaviours:
        cases.append(Case(name, "http", rss([item("hx" + name)]), REFUSE, behaviour=behaviour))
    # Article pages behind short entries, fetched for their full text: whatever the page does, the
    # entry keeps its feed text (with a warning naming the page) and the page's content stays clean.
    html = "<!doctype html><html><head><title>t</title></head><body><article>{}</article></body></html>"
    para = "<p>" + "India and China held talks on many subjects at length in the capital today. " * 12 + "</p>"
    pages = [
        (
            "page-script",
            html.format(
                para
                + '<p onclick="alert(1)">'
                + AGREED
                + ' <script>alert(1)</script> <a href="javascript:alert(1)">x</a></p>'
                + para
            ).encode(),
            "plain",
            "text/html",
        ),
        (
            "page-xxe",
            (
                f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file://{canary}">]>'
                + html.format(para + "<p>&x;</p>")
            ).encode(),
            "plain",
            "application/xhtml+xml",
        ),
        ("page-endless", html.format(para * 3).encode(), "endless", "text/html"),
        ("page-trickle", html.format(para).encode(), "trickle", "text/html"),
        ("page-gzip-bomb", b"", "gzip-bomb", "text/html"),
        ("page-png", PNG, "plain", "image/png"),
        ("page-redirect-file", b"", "redirect-file", "text/html"),
        ("page-huge-line", html.format("<p>" + "w" * 900_000 + "</p>").encode(), "plain", "text/html"),
        (
            "page-invalid-utf8",
            html.format(para).encode().replace(b"talks", b"t\xff\xfelks"),
            "plain",
            "text/html; charset=utf-8",
        ),
        (
            "page-ansi",
            html.format(para + "<p>\x1b]0;pwned\x07\x1b[2J \u202e" + AGREED + "</p>").encode(),
            "plain",
            "text/html",
        ),
    ]
    for name, page, behaviour, ctype in pages:
        marker = f"hp{len(cases):03d}"
        link = f"http://127.0.0.1:{port}/{name}~article"
        cases.append(
            Case(
                name,
                "http",
                rss([item(marker, link=link, guid=link)]),
                READ,
                marker=marker,
                page=page,
                page_behaviour=behaviour,
                page_type=ctype,
            )
        )
    return cases


def opml(outlines: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return f'{prolog}<opml version="2.0"><head><title>x</title></head><body>{outlines}</body></opml>'.encode()


def opml_cases(canary: Path) -> list[Case]:
    """Subscription lists to `tracker sources import`: what feed readers export, as an attacker writes it."""

    def outline(title: str, url: str = "http://127.0.0.1:9/feed.xml") -> str:
        return f'<outline type="rss" text="{title}" title="{title}" xmlUrl="{url}"/>'

    laughs = '<!DOCTYPE opml [<!ENTITY a "lollollollollollollollol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    return [
        Case("opml-billion-laughs", "opml", opml(outline("&j;"), '<?xml version="1.0"?>' + laughs + "]>"), REFUSE),
        Case(
            "opml-xxe",
            "opml",
            opml(outline("&x;"), f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file://{canary}">]>'),
            REFUSE,
        ),
        Case("opml-deep", "opml", opml("<outline>" * 100_000 + "</outline>" * 100_000), EITHER),
        Case("opml-not-xml", "opml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), REFUSE),
        Case("opml-html", "opml", b"<html><body><script>alert(1)</script></body></html>", REFUSE),
        Case("opml-title-ansi", "opml", opml(outline("Desk &#x9d;0;pwned&#x9c; &#x9b;2J &#x85;")), READ),
        Case(
            "opml-title-script", "opml", opml(outline("&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:1)")), READ
        ),
        Case("opml-title-crlf", "opml", opml(outline("Desk&#13;&#10;Bcc: victim@evil.example")), READ),
        Case("opml-title-bidi", "opml", opml(outline("Desk &#x202e;lave")), READ),
        Case("opml-title-formula", "opml", opml(outline("=HYPERLINK(&quot;http://evil.example&quot;)")), READ),
        Case("opml-url-javascript", "opml", opml(outline("Desk", "javascript:alert(1)")), EITHER),
        Case("opml-url-controls", "opml", opml(outline("Desk", "http://127.0.0.1:9/a&#x9b;2J&#9;&#10;b.xml")), EITHER),
        Case("opml-url-file", "opml", opml(outline("Desk", f"file://{canary}")), EITHER),
    ]
