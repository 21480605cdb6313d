"""Turn matplotlib's SVG file into an element that can be inlined, many times, in one HTML page.

Matplotlib writes a standalone file: an XML declaration, a DOCTYPE, ``id`` attributes on every group
(``figure_1``, ``axes_1``, ``text_7``: the same in every chart) and content-hashed ids for clip paths
and glyph/marker definitions (equal charts, equal ids). HTML gives all inline SVG elements one id space,
so this module drops the ids nothing refers to, prefixes the others (and every ``url(#..)``,
``xlink:href="#.."`` and ``href="#.."`` reference) with a per-chart prefix, and rewrites the root element
(``width="100%"`` with the ``viewBox`` kept, ``role="img"``, a ``<title>``, scoped CSS).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape, quoteattr

__all__ = ["FONT_STACK", "KEPT_ID_PREFIX", "chart_prefix", "inline_svg"]

FONT_STACK = "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif"
"""The CSS font stack of the chart's text; layout is measured with DejaVu Sans, the widest of them."""
KEPT_ID_PREFIX = "ipp-"
"""Artists given a ``gid`` starting with this keep their id (prefixed): series, bands, thresholds, spans..."""
CSS_CLASS = "infra-chart"
_TAG = re.compile(r"<[^<>]*>")
_ID = re.compile(r'\sid="([^"]*)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]*)')
_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([^"]*)"')
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MATPLOTLIB_CSS = "*{stroke-linejoin: round; stroke-linecap: butt}"
_FONT_FAMILY = re.compile(r"font-family: [^;\"]*(; )?")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def chart_prefix(content: Iterable[bytes], prefix: str = "") -> str:
    """The id prefix of one chart: the caller's ``prefix`` (made a valid XML name) and a hash of ``content``."""
    hashed = hashlib.sha256()
    for part in content:
        hashed.update(part)
    digest = hashed.hexdigest()[:10]
    safe = _UNSAFE.sub("-", prefix).strip("-")
    if safe and not (safe[0].isalpha() or safe[0] == "_"):
        safe = f"p{safe}"
    return f"{safe}-c{digest}-" if safe else f"c{digest}-"


def _rewrite_tag(tag: str, ids: str, referenced: set[str]) -> str:
    def _id(match: re.Match[str]) -> str:
        name = match.group(1)
        keep = name in referenced or name.startswith(KEPT_ID_PREFIX)
        return f' id="{ids}{name}"' if keep else ""

    tag = _ID.sub(_id, tag)
    tag = _REFERENCE.sub(lambda m: f"{m.group(1)}{ids}{m.group(2)}", tag)
    return _FONT_FAMILY.sub("", tag) if tag.startswith("<text") else tag


def _root(svg_tag: str, title: str, kind: str) -> str:
    found = _VIEWBOX.search(svg_tag)
    view_box = found.group(1) if found else "0 0 540 240"
    width = float(view_box.split()[2]) * 4 / 3
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
            f'viewBox="{view_box}" width="100%" class="{CSS_CLASS}" data-kind={quoteattr(kind)} role="img" '
            f'aria-label={quoteattr(title)} style="max-width: {width:.0f}px; height: auto">'
            f"<title>{escape(title)}</title>")


def _add_tooltips(body: str, ids: str, tooltips: Mapping[str, str]) -> str:
    """Give each group whose (unprefixed) id is in ``tooltips`` a ``<title>`` child: a hover tooltip."""
    if not tooltips:
        return body

    def _title(match: re.Match[str]) -> str:
        text = tooltips.get(match.group(1))
        return match.group(0) if text is None else f"{match.group(0)}<title>{escape(text)}</title>"

    return re.sub(rf'<g id="{re.escape(ids)}({KEPT_ID_PREFIX}[^"]*)">', _title, body)


def inline_svg(document: str, *, title: str, ids: str, kind: str, tooltips: Mapping[str, str] | None = None) -> str:
    """Matplotlib's SVG ``document`` as one ``<svg>`` element whose ids all start with ``ids``.

    ``tooltips`` maps the gid of a drawn part (``ipp-span-3``) to its hover text.
    """
    start = document.find("<svg")
    body = _COMMENT.sub("", document[start:]).strip()
    tags = _TAG.findall(body)
    referenced = {m.group(2) for tag in tags for m in _REFERENCE.finditer(tag)}
    body = _TAG.sub(lambda m: _rewrite_tag(m.group(0), ids, referenced), body)
    scoped = (f".{CSS_CLASS} *{{stroke-linejoin: round; stroke-linecap: butt}} "
              f".{CSS_CLASS} text{{font-family: {FONT_STACK}}}")
    body = _add_tooltips(body.replace(_MATPLOTLIB_CSS, scoped, 1), ids, tooltips or {})
    root = _ROOT.search(body)
    if root is None:  # pragma: no cover - matplotlib always writes one
        raise ValueError("matplotlib wrote no <svg> element")
    return body[:root.start()] + _root(root.group(0), title, kind) + body[root.end():]
