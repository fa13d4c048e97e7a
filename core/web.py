"""Server-rendered pages: Jinja2 environment, static files, nav items.

``web/`` holds the shell (base templates, CSS, JS, icons); plugins add
template directories and nav items through hooks. :func:`render` fills the
context every page template can rely on: ``_``, ``lang``, ``user``,
``csrf_token``, ``nav_items``, ``active_nav``, ``static_url``, plus what
plugins add through the ``extra_page_context`` hook (``cart_count``...).
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import falcon
import jinja2

from core.money import fen_to_str, yuan


@dataclass(frozen=True)
class NavItem:
    """An entry of the shop tab bar or the back-office sidebar."""

    key: str
    label: str  # English message id, translated when rendered
    url: str
    icon: str = ""
    area: str = "shop"  # "shop" or "admin"
    roles: tuple[str, ...] = ()
    order: int = 100


def make_environment(template_dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["money"] = lambda fen: fen_to_str(fen) if isinstance(fen, int) else fen
    env.filters["yuan"] = lambda fen: yuan(fen) if isinstance(fen, int) else fen
    return env


class StaticFiles:
    """Serve ``/static/{prefix}/{path}`` with long caching and ETags."""

    def __init__(self, dirs: dict[str, Path]) -> None:
        self.dirs = {prefix: Path(d).resolve() for prefix, d in dirs.items()}
        self._versions: dict[str, str] = {}

    def locate(self, prefix: str, path: str) -> Path | None:
        base = self.dirs.get(prefix)
        if base is None:
            return None
        target = (base / path).resolve()
        if base not in target.parents or not target.is_file():
            return None
        return target

    def version(self, prefix: str, path: str) -> str:
        key = f"{prefix}/{path}"
        if key not in self._versions:
            target = self.locate(prefix, path)
            digest = hashlib.sha256(target.read_bytes()).hexdigest()[:10] if target else "0"
            self._versions[key] = digest
        return self._versions[key]

    def url(self, path: str, prefix: str = "web") -> str:
        return f"/static/{prefix}/{path}?v={self.version(prefix, path)}"

    def on_get(self, req: falcon.Request, resp: falcon.Response, prefix: str, path: str) -> None:
        target = self.locate(prefix, path)
        if target is None:
            raise falcon.HTTPNotFound()
        etag = self.version(prefix, path)
        if req.get_header("If-None-Match") == f'"{etag}"':
            resp.status = falcon.HTTP_304
            return
        resp.content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if resp.content_type.startswith("text/") or resp.content_type.endswith("javascript"):
            resp.content_type += "; charset=utf-8"
        resp.etag = etag
        resp.cache_control = (
            ["public", "max-age=31536000", "immutable"] if req.get_param("v") else ["public", "max-age=300"]
        )
        resp.data = target.read_bytes()


def render(ctx, req: falcon.Request, resp: falcon.Response, template: str, **values: Any) -> None:
    """Render a page template into ``resp`` with the shared page context."""
    user = req.context.user
    lang = req.context.lang
    area = values.pop("area", "shop")
    items = [
        item
        for item in ctx.nav_items
        if item.area == area and (not item.roles or (user is not None and user.role in item.roles))
    ]
    page = {
        "_": ctx.translator.bound(lang),
        "lang": lang,
        "user": user,
        "csrf_token": req.context.session.csrf_token if req.context.session else "",
        "nav_items": items,
        "active_nav": values.pop("active_nav", ""),
        "static_url": ctx.static.url,
        "request_path": req.relative_uri,
        "settings": ctx.settings,
        "area": area,
    }
    for extra in ctx.pm.hook.extra_page_context(ctx=ctx, request=req, area=area):
        if extra:
            page.update(extra)
    page.update(values)
    resp.content_type = falcon.MEDIA_HTML
    resp.text = ctx.templates.get_template(template).render(page)
