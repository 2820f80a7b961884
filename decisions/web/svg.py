"""Text inside the server-rendered SVG charts (the cost chart and the admin overview's)."""

import re
from html import escape as _html_escape

# XML 1.0 cannot hold C0 controls other than tab and newlines, lone surrogates, U+FFFE or U+FFFF;
# a title typed with one would make the whole SVG unparseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text made safe for an SVG element or attribute: XML-invalid characters dropped, then
    html.escape'd (quotes included)."""
    return _html_escape(_NOT_XML.sub("", text))
