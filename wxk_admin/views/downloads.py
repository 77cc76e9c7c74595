"""The one way a file leaves the site: every download (xlsx, PDF, CSV; console and public) is
sent by :func:`download`, with the UTF-8 filename of ``xlsx.content_disposition`` and ``no-store``."""
from __future__ import annotations

from flask import Response, send_file

from ..documents.xlsx import content_disposition, mime_type


def download(body, filename: str) -> Response:
    """``body`` (bytes, an open binary file, or an iterator of byte chunks) as the attachment ``filename``;
    the MIME type follows the extension."""
    if hasattr(body, "read"):  # a file: werkzeug sends it in blocks with its length
        response = send_file(body, mimetype=mime_type(filename), max_age=0)
    else:
        response = Response(body, mimetype=mime_type(filename))
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response
