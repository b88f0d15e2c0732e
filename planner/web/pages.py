"""Pages whose size grows with the trip (the programme of thousands of items): rendered piece by piece.

``render_template`` collects every piece Jinja writes (hundreds of thousands for a
long programme) before joining them into one string, which the response then
encodes into bytes once more: for a programme of 3,000 appointments 8 MB of
HTML held a worker's memory at about 40 MiB more than the page itself. Here the
pieces are joined and encoded a batch at a time, and the response holds only the
encoded batches. The page is complete before the response leaves the view (not
streamed): the request's hooks, the session cookie and error pages work as for
any page.
"""

from __future__ import annotations

from typing import Any

from flask import Response, stream_template

_BATCH = 2048  # pieces per encoded chunk: a few tens of kB


def render_large(template_name: str, **context: Any) -> Response:
    """The page ``template_name`` renders with ``context``, as ``render_template`` would, with less memory."""
    chunks: list[bytes] = []
    batch: list[str] = []
    # Flask's stream_template: the same context processors and signals as render_template.
    for piece in stream_template(template_name, **context):
        batch.append(piece)
        if len(batch) == _BATCH:
            chunks.append("".join(batch).encode("utf-8"))
            batch.clear()
    chunks.append("".join(batch).encode("utf-8"))
    return Response(chunks, mimetype="text/html")
