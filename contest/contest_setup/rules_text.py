"""The rules text (Thể lệ) as HTML: plain text, escaped, in paragraphs, with its links."""

import re

from markupsafe import Markup, escape

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}»"  # punctuation that ends a sentence, not the address
_LINK = Markup('<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>')


def _linked(line: str) -> Markup:
    """One line escaped, its http(s) addresses as links (opened safely in a new tab)."""
    parts, last = [], 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        parts.append(escape(line[last : match.start()]))
        parts.append(_LINK.format(url))  # format() escapes the address
        last = end
    parts.append(escape(line[last:]))
    return Markup("").join(parts)


def render_rules_text(text: str | None) -> Markup:
    """Paragraphs on blank lines, line breaks kept, http(s) addresses linked, all else
    escaped: the organizers' text can never carry HTML of its own."""
    paragraphs = [p.strip("\n") for p in _PARAGRAPH_BREAK.split((text or "").replace("\r", ""))]
    html = [
        Markup("<p>{}</p>").format(Markup("<br>\n").join(_linked(line) for line in p.split("\n")))
        for p in paragraphs
        if p.strip()
    ]
    return Markup("\n").join(html)
