"""Making text from articles safe for the place it is written to.

Article text, titles and source names come from anywhere. Before they reach a
terminal they lose their control characters (an escape sequence can retitle a
window or rewrite the screen); before they reach Markdown they lose their
syntax (a `[link](javascript:…)` or an `![image](…)` beacon must stay text);
before they reach a CSV cell they lose the leading character a spreadsheet
would read as a formula.
"""

from __future__ import annotations

import re

# Whole escape sequences first, so that nothing of them (a window title, say) is left behind:
# CSI (ESC [ … final), OSC / DCS / APC / PM / SOS (ESC ] … BEL or ST), then any other ESC pair.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P_^X]|[\x90\x9d\x9e\x9f\x98])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Remaining C0 and C1 controls, DEL, and the bidirectional overrides that reorder what is shown.
# Noncharacters U+FFFE and U+FFFF go too (no text holds them; XML cannot).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_SPACE = re.compile(r"[\t\n\r\f\v\u2028\u2029]+")
# Lone surrogates: how Python holds the bytes of a file name that are not UTF-8. No file, terminal
# or database takes them; they are shown as U+FFFD.
_SURROGATES = re.compile("[\ud800-\udfff]")


def strip_controls(text: object) -> str:
    """The text with every terminal control sequence and character removed.

    Tabs and line breaks become single spaces: a cell or a line stays one line.
    """
    if text is None:
        return ""
    cleaned = _ESCAPES.sub("", _SURROGATES.sub("\ufffd", str(text)))
    cleaned = _SPACE.sub(" ", cleaned)
    return _CONTROLS.sub("", cleaned)


# The characters by which Markdown (CommonMark, GitHub's tables and strikethrough) makes
# links, images, HTML, code, emphasis and cells; an `&` only where it would start an entity.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|!~#]|&(?=#?\w+;))")
# What starts a list, a heading or a quote when it opens a line.
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def escape_markdown(text: object) -> str:
    """The text as literal Markdown: one line, its syntax characters backslash-escaped.

    No link, image, autolink, HTML tag, emphasis or table cell can be made
    from it (a bare `javascript:` is not a link in Markdown; an http(s) URL
    written out in the text may still be shown as one, which is allowed).
    """
    flat = " ".join(strip_controls(text).split())
    escaped = _MARKDOWN.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def is_web_url(url: object) -> bool:
    """True for an http(s) URL, the only kind the tracker makes a link of."""
    if not isinstance(url, str):
        return False
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://")) and not _CONTROLS.search(url) and " " not in url.strip()


def markdown_url(url: str) -> str:
    """An http(s) URL made safe inside a Markdown link's parentheses."""
    out = []
    for char in url.strip():
        if char in " ()<>|[]\\`\"'" or ord(char) < 0x21:
            out.append(f"%{ord(char):02X}")
        else:
            out.append(char)
    return "".join(out)


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet will not run: formulas get a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = strip_controls(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def clean_line(text: object) -> str:
    """One line of text as it may be stored: no control sequence or character, no line break."""
    return strip_controls(text).strip()


_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")


def clean_text(text: object) -> str:
    """A text as it may be stored: line breaks kept (as `\\n`), tabs as spaces, every other control removed."""
    if text is None:
        return ""
    cleaned = _ESCAPES.sub("", _SURROGATES.sub("\ufffd", str(text)))
    cleaned = _LINE_BREAKS.sub("\n", cleaned).replace("\t", " ")
    return _CONTROLS.sub("", cleaned)


def clean_url(url: object) -> str:
    """A URL as it may be stored: no control characters (a tab in `java\\tscript:` is how a
    filter is fooled) and white space inside percent-encoded, so it stays one token."""
    if url is None:
        return ""
    raw = _ESCAPES.sub("", _SURROGATES.sub("\ufffd", str(url)))
    stripped = _CONTROLS.sub("", raw.replace("\t", "").replace("\r", "").replace("\n", ""))
    return re.sub(r"\s", lambda m: f"%{ord(m.group()):02X}" if ord(m.group()) < 0x80 else "", stripped.strip())


# JSON written to files or exported may be embedded in a page: the characters that could
# close a script element or start markup, and the ones a terminal or a JavaScript parser
# reads as controls or line ends, are written as \u escapes (the values are unchanged).
_JSON_UNSAFE = re.compile(r"[<>&\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_json(value: object, indent: int | None = 2) -> str:
    """`json.dumps(value, ensure_ascii=False)` with the unsafe characters escaped."""
    import json

    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
