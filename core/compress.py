"""Gzip for text answers, so pages stay small on a phone's slow connection.

Answers of at least ``MIN_BYTES`` with a text-like content type are
compressed when the client accepts gzip. Images are already compressed and
are left alone.
"""

from __future__ import annotations

import gzip

import falcon

MIN_BYTES = 1024
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class GzipMiddleware:
    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource, req_succeeded: bool
    ) -> None:
        if "gzip" not in (req.get_header("Accept-Encoding") or "") or resp.get_header("Content-Encoding"):
            return
        content_type = resp.content_type or (falcon.MEDIA_JSON if resp.media is not None else "")
        if not content_type.startswith(COMPRESSIBLE) or resp.stream is not None:
            return
        body = resp.render_body()
        if body is None or len(body) < MIN_BYTES:
            return
        resp.data = gzip.compress(body, compresslevel=5)
        resp.text = None
        resp.media = None
        resp.set_header("Content-Encoding", "gzip")
        resp.append_header("Vary", "Accept-Encoding")
