"""Reading PDFs in tests: text through poppler's pdftotext (content-stream order keeps a table cell's
lines together), page count through pdfinfo, page images through pdftoppm."""
from __future__ import annotations

import io
import re
import subprocess
import tempfile

from PIL import Image


def _run(args, data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run([*args, f.name, "-"], check=True, capture_output=True).stdout.decode()


def pdf_text(data: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _run(["pdftotext", "-raw", "-enc", "UTF-8", *pages], data)


def compact(text: str) -> str:
    """Text without whitespace: a value wrapped inside its cell reads as one string again."""
    return re.sub(r"\s+", "", text)


def page_count(data: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], check=True, capture_output=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_image(data: bytes, page: int = 1, dpi: int = 72) -> Image.Image:
    """Page ``page`` rendered in grey levels."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        png = subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-png",
                              f.name], check=True, capture_output=True).stdout
    return Image.open(io.BytesIO(png)).convert("L")
