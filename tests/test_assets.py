"""Assets are shipped, not fetched: API docs, favicon, no external URL in pages."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

SRC = Path(__file__).resolve().parents[1] / "src" / "puente"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def test_api_docs_load_only_local_assets(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        assert not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in page.text  # no inline script: the CSP stays strict
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Puente"


def test_favicon_is_served(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/static/favicon.svg").status_code == 200


def test_no_template_loads_anything_from_another_site() -> None:
    offenders = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in SRC.rglob("*.html")
        for match in EXTERNAL.finditer(path.read_text("utf-8"))
    ]
    assert offenders == []
