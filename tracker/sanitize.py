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
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"[\t\n\r\f\v\u2028\u2029]+")


def strip_controls(text: object) -> str:
    """The text with every terminal control sequence and character removed.

    Tabs and line breaks become single spaces: a cell or a line stays one line.
    """
    if text is None:
        return ""
    cleaned = _ESCAPES.sub("", str(text))
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
