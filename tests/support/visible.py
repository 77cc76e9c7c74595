"""What a person reads on a page: text outside scripts, styles and hidden elements (no attribute values)."""
from __future__ import annotations

from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_NEVER_SHOWN = {"script", "style", "template", "noscript"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        attrs = dict(attrs)
        hidden = (self._hidden() or tag in _NEVER_SHOWN or "hidden" in attrs
                  or "d-none" in (attrs.get("class") or "").split())
        self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.parts.append(data.strip())


def reader_text(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    return "\n".join(reader.parts)
