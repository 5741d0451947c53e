"""Series keys in words on the early-warning pages.

`series_words` is the labels' `series_name` filter, registered by the
composition root (no module imports the labels). `flow_series` is that filter
for templates: it names a source imported under a name of its own by the title
it was given, read from the page's `source_titles` (`flows.source_titles`), so
an alert, a chart and the series list name the same series the same way.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context

from puente.web.templating import env


def series_words(key: str, title: str | None = None) -> str:
    """A series key in words ("Darién, Haiti"). `title`: the source's stored
    title, for a source the catalogue does not name."""
    return str(env.filters["series_name"](key, title=title))


@pass_context
def flow_series(context: Any, key: str) -> str:
    titles = context.get("source_titles") or {}
    return series_words(key, titles.get(key.partition("|")[0]))


def register_filters() -> None:
    env.filters["flow_series"] = flow_series
