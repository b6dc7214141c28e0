"""What Moodle's formats (GIFT and Moodle XML) share: category paths, HTML texts, true/false."""

import re
from html.parser import HTMLParser

TRUE_CHOICE, FALSE_CHOICE = "Đúng", "Sai"  # a true/false question's two choices, in this order

# Moodle's split_category_path: a single "/" separates, "//" is a "/" inside a name.
_CATEGORY_SEPARATOR = re.compile(r"(?<!/)/(?!/)")
# $course$, $system$, $module$, $cat1$, ...: where the category lives, not a category.
_CONTEXT_MARKER = re.compile(r"\$[a-z]+[0-9]*\$")
_SPACES = re.compile(r"\s+")
_HIDDEN_TAGS = frozenset({"script", "style"})
_LINE_ENDING_TAGS = frozenset(
    {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"}
)


def category_topic(path: str) -> str | None:
    """The last category of a Moodle category path, or None when the path names none."""
    names = [name.replace("//", "/").strip() for name in _CATEGORY_SEPARATOR.split(path.strip())]
    if names and _CONTEXT_MARKER.fullmatch(names[0]):
        names.pop(0)
    # Since Moodle 3.5 every category hangs under a "top" one nobody named.
    if names and names[0] == "top":
        names.pop(0)
    names = [name for name in names if name]
    return names[-1] if names else None


def html_to_text(html: str, collapse_spaces: bool = True) -> str:
    """HTML as plain text: tags dropped, scripts and styles with their content, breaks kept.

    With `collapse_spaces` (HTML proper) source line breaks are mere spaces; Moodle's own
    format and Markdown keep them, yet still let authors write tags.
    """
    converter = _HtmlToText(collapse_spaces=collapse_spaces)
    converter.feed(html)
    converter.close()
    return converter.text()


class _HtmlToText(HTMLParser):
    def __init__(self, *, collapse_spaces: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._collapse_spaces = collapse_spaces
        self._hidden = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br":
            self._parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _LINE_ENDING_TAGS:
            self._parts.append("\n")

    def handle_data(self, data):
        if not self._hidden:
            self._parts.append(_SPACES.sub(" ", data) if self._collapse_spaces else data)

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self._parts).split("\n"))
        return "\n".join(line for line in lines if line)
