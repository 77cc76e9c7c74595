"""PDF rendering: HTML/CSS templates (``templates/documents/``) laid out by WeasyPrint.

WeasyPrint because the form is a set of tables whose columns should fit their content, a header
repeated on every page and 「第 N 页 共 M 页」 — all plain CSS (auto table layout, running elements,
page counters) — and it embeds only the glyphs used from the system CJK font (fontconfig finds
WenQuanYi Micro Hei / Noto CJK).  Jinja2 (not Flask) renders the templates, autoescaped.
"""
from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..paths import shipped

TEMPLATES = shipped("templates") / "documents"

# Where page 1 draws the photo box (两寸证件照, 35 × 49 mm), in mm from the page's top-left corner:
# the stylesheet places it from these numbers and the rendering test looks for it here.
PAGE_MARGIN_MM = {"top": 24, "right": 15, "bottom": 20, "left": 15}
PHOTO_BOX_MM = {"left": 210 - 15 - 35, "top": 24 + 24, "width": 35, "height": 49}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(margin=PAGE_MARGIN_MM, photo=PHOTO_BOX_MM)
    return env


def render_html(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def _no_fetch(url: str, *args, **kwargs):
    """Documents load nothing: every style is inline and every value escaped text, so any URL is refused
    (no file:// reads, no requests to other hosts, whatever an application's text contains)."""
    raise ValueError(f"documents load no external resources: {url[:80]}")


def _document(template: str, **context):
    # Imported when a PDF is asked for: measured 2026-12-01, WeasyPrint adds 1.5–1.8 s to the app's 4.3–6.3 s
    # start-up (every worker, flask command and test process), and most of them never print.
    from weasyprint import HTML

    return HTML(string=render_html(template, **context), base_url=str(TEMPLATES), url_fetcher=_no_fetch).render()


def render_pdf(template: str, **context) -> bytes:
    return _document(template, **context).write_pdf()


def render_many(template: str, contexts) -> bytes:
    """One PDF of several documents, each paginated on its own (its own 「共 N 页」).  Forms are printed
    double-sided (002 「双面打印」): a document with an odd number of pages is followed by a blank page, so
    the next one starts on a new sheet."""
    documents = [_document(template, **context) for context in contexts]
    if not documents:
        return b""
    blank = None
    pages = []
    for document in documents:
        pages.extend(document.pages)
        if len(document.pages) % 2 and document is not documents[-1]:
            blank = blank or _blank_page()
            pages.append(blank)
    return documents[0].copy(pages).write_pdf()


def _blank_page():
    from weasyprint import CSS, HTML  # late on purpose, as above

    return HTML(string="<html><body></body></html>", url_fetcher=_no_fetch).render(
        stylesheets=[CSS(string="@page { size: A4 portrait; }", url_fetcher=_no_fetch)]).pages[0]
