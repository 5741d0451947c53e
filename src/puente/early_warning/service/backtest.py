"""Backtest plumbing: a source's stored series, and the HTML report."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.early_warning.errors import SourceNotFound
from puente.early_warning.models import FlowSource, FlowSourceProfile
from puente.early_warning.rules.analytics.backtest import BacktestResult
from puente.early_warning.service import store
from puente.early_warning.service._common import current_vintage, series_frame
from puente.identity import Actor, authorize, visible


def source_series(session: Session, *, actor: Actor, source: str) -> pl.DataFrame:
    """The current vintage of `source` as a `build_series` frame."""
    authorize(actor, "flows:read")
    row = session.scalars(
        visible(actor, select(FlowSource), FlowSource, "flows:read").where(
            FlowSource.name == source
        )
    ).first()
    vintage = current_vintage(session, row) if row else None
    if row is None or vintage is None:
        raise SourceNotFound(source=source)
    profile = session.get(FlowSourceProfile, vintage.profile_id)
    assert profile is not None  # noqa: S101 - foreign key
    return series_frame(row, profile, store.read_counts(vintage.store_path))


def vega_spec(result: BacktestResult, key: str) -> dict[str, object]:
    """Vega-Lite: counts, the h=1 forecast band and the alerts of one series."""
    rows = result.timeline.filter(pl.col("series_key") == key).sort("period")
    alerts = set(result.alerts.filter(pl.col("series_key") == key)["period"].to_list())
    values = [
        {
            "period": str(r["period"]),
            "count": r["count"],
            "forecast": r.get("forecast_h1"),
            "lo80": r.get("forecast_h1_lo80"),
            "hi80": r.get("forecast_h1_hi80"),
            "alert": r["count"] if r["period"] in alerts else None,
        }
        for r in rows.to_dicts()
    ]
    x = {"field": "period", "type": "temporal", "title": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": key,
        "width": 720,
        "height": 240,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.25},
                "encoding": {
                    "x": x,
                    "y": {"field": "lo80", "type": "quantitative"},
                    "y2": {"field": "hi80"},
                },
            },
            {
                "mark": "line",
                "encoding": {"x": x, "y": {"field": "count", "type": "quantitative"}},
            },
            {
                "mark": {
                    "type": "point",
                    "color": "#c0392b",
                    "filled": True,
                    "size": 80,
                },
                "encoding": {"x": x, "y": {"field": "alert", "type": "quantitative"}},
            },
        ],
    }


def _safe_json(value: object) -> str:
    # "</" inside a script element would end it early.
    return json.dumps(value).replace("</", "<\\/")


def render_html(result: BacktestResult, keys: Sequence[str]) -> str:
    """A page with the report and a Vega-Lite chart per series (the page loads
    the vendored `/static/vendor/vega*.js`; the specs are embedded as JSON)."""
    specs = {key: vega_spec(result, key) for key in keys}
    report = html.escape(json.dumps(result.report, indent=2))
    blocks = "\n".join(
        f'<div class="chart" id="chart-{i}"></div>'
        f'<script type="application/json" id="spec-{i}">{_safe_json(spec)}</script>'
        for i, spec in enumerate(specs.values())
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest</title>
<script src="/static/vendor/vega.min.js"></script>
<script src="/static/vendor/vega-lite.min.js"></script>
<script src="/static/vendor/vega-embed.min.js"></script></head>
<body><h1>Backtest</h1><pre>{report}</pre>
{blocks}
<script>
document.querySelectorAll('script[id^="spec-"]').forEach(function (node) {{
  var id = node.id.replace('spec-', 'chart-');
  if (window.vegaEmbed) vegaEmbed('#' + id, JSON.parse(node.textContent));
}});
</script></body></html>
"""
