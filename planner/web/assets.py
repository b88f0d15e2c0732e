"""The front-end libraries the pages load, by name, from the planner's own ``/static/vendor``.

They are installed from the npm registry at the versions pinned in
``planner/static/vendor/package-lock.json`` (``make install``) and served by
the app itself: no CDN, so the Content-Security-Policy stays ``'self'`` and a
page works on a delegation's laptop behind any firewall. Every page keeps
working without them; they make forms faster, never possible.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, url_for

# Name in templates -> file inside node_modules. One place to change when a library moves a file.
VENDOR_FILES = {
    "htmx.js": "htmx.org/dist/htmx.min.js",
    "tom-select.js": "tom-select/dist/js/tom-select.complete.min.js",
    "tom-select.css": "tom-select/dist/css/tom-select.min.css",
    # Only the timeline loads it, for its editors: dragging a block to another time or day.
    "interact.js": "interactjs/dist/interact.min.js",
    # The personal page's service worker (templates/personal/sw.js) imports these browser builds, in this
    # order (routing and strategies use core); never workbox-sw, whose loader fetches them from a CDN.
    "workbox-core.js": "workbox-core/build/workbox-core.prod.js",
    "workbox-routing.js": "workbox-routing/build/workbox-routing.prod.js",
    "workbox-strategies.js": "workbox-strategies/build/workbox-strategies.prod.js",
}

logger = logging.getLogger(__name__)


def vendor_url(name: str) -> str:
    """The URL of the front-end library file called ``name`` in :data:`VENDOR_FILES`."""
    return url_for("static", filename=f"vendor/node_modules/{VENDOR_FILES[name]}")


def missing_vendor_files(static_folder: str | Path) -> list[str]:
    """The library files that ``make install`` has not put in place (yet)."""
    root = Path(static_folder) / "vendor" / "node_modules"
    return [name for name, path in VENDOR_FILES.items() if not (root / path).is_file()]


def init_app(app: Flask) -> None:
    app.add_template_global(vendor_url)
    missing = missing_vendor_files(app.static_folder or "")
    if missing:
        # Not fatal: every page works without them, only slower to use.
        logger.warning("Front-end libraries missing (%s): run `make install`.", ", ".join(missing))
