"""Pathways screens, one file per job: screening (read over the officer's shoulder,
five languages, HTMX re-screen as facts are entered, plain form posts without JS),
the catalogue and applications, the employer's offers with their checks, the
attestation reviews, matches and rights cards, and the totalisation calculator."""

from __future__ import annotations

from fastapi.responses import FileResponse

from puente.pathways.web import (
    applications,
    entry_regimes,
    home,
    offers,
    pickers,
    screening,
    totalisation,
)
from puente.pathways.web._common import ASSETS, PathwayReader, router

__all__ = [
    "applications",
    "entry_regimes",
    "home",
    "offers",
    "pickers",
    "router",
    "screening",
    "totalisation",
]


@router.get("/assets/pathways.css")
def stylesheet(_actor: PathwayReader) -> FileResponse:
    return FileResponse(ASSETS / "pathways.css", media_type="text/css")
