"""Breadth-first link crawler shared by the walks over every screen a role reaches
(tests/test_walk.py through the test client, tests/browser/test_accessibility.py
in Chromium). GET only; what is fetched and checked is the caller's."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from urllib.parse import urldefrag, urlsplit

# Not screens: the API, assets, session and language switches, and the exports and
# machine formats that links point to on purpose (CSV, CAP XML, Atom, JSON).
SKIP = re.compile(
    r"^/(api/|static/|logout|login|lang|mfa)|\.(csv|xlsx|xml|atom|json|pdf|png|svg)$"
    r"|/(cap|export|exports|download)(/|$)"
)
# A list's own links (web/lists.py): its exports, other orders and pages show the
# same screen; following them would spend the page budget on one list.
LIST_LINKS = re.compile(r"(^|&)(export|download|sort|dir|page)=")
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def same_site(href: str) -> str | None:
    """The link as a path to follow, or None (another site, or SKIP, or a list's
    own link)."""
    url = urldefrag(href)[0]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/"):
        return None
    if SKIP.search(parts.path) or LIST_LINKS.search(parts.query):
        return None
    return url


def crawl(
    visit: Callable[[str], Iterable[str]],
    *,
    max_pages: int,
    one_per_shape: bool = False,
) -> list[str]:
    """Visit pages breadth-first from the home page, at most `max_pages`;
    `visit(url)` fetches and checks one page and returns the hrefs on it. With
    `one_per_shape`, a URL that differs from a visited one only by its ids is
    not visited. Returns the URLs visited, in order."""
    queue: deque[str] = deque(["/"])
    seen: set[str] = set()
    shapes: set[str] = set()
    pages: list[str] = []
    while queue and len(pages) < max_pages:
        url = queue.popleft()
        shape = ID.sub("{id}", url)
        if url in seen or (one_per_shape and shape in shapes):
            continue
        seen.add(url)
        shapes.add(shape)
        pages.append(url)
        for href in visit(url):
            link = same_site(href)
            if link is not None and link not in seen:
                queue.append(link)
    return pages
