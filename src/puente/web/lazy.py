"""Heavy panels load after the page (HTMX), with a progress indicator; without
JavaScript they are drawn inline, so nothing is lost.

A browser that runs scripts says so with the `puente_js` cookie (set by
`static/js/lazy.js` on every page). On such a browser a page draws a heavy panel
as a placeholder (`_lazy.html`: `aria-busy`, "Loading…" in the reader's language)
that fetches the panel's own route (`hx-get`, `hx-trigger="load"`); everyone else,
and `?inline=1`, gets the panel in the page itself. The panel's route answers
with the fragment alone.
"""

from __future__ import annotations

from typing import Final

from fastapi import Request

JS_COOKIE: Final = "puente_js"


def wants_lazy(request: Request) -> bool:
    """Whether to draw heavy panels as placeholders loaded afterwards: the browser
    runs scripts, the page is not itself an HTMX fetch, and `inline` was not asked."""
    return (
        request.cookies.get(JS_COOKIE) == "1"
        and request.headers.get("hx-request") != "true"
        and request.query_params.get("inline") != "1"
    )
