"""Read an HTML form's inputs as a browser would send them (text inputs, hidden inputs, selects)."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type", "text") in ("text", "hidden"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_values(html: str) -> dict[str, str]:
    """Return {name: value} of the page's text, hidden and select inputs (the CSRF token too)."""
    reader = _FormReader()
    reader.feed(html)
    return reader.values
