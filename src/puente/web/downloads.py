"""Table downloads as HTTP answers: the one place a web route turns an export
(`core.tabular`, every text cell neutralised against formula injection) into an
attachment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.responses import Response

from puente.core.tabular import CSV_MEDIA, ExportFile, safe_name, table_file


def attachment(file: ExportFile) -> Response:
    return Response(
        file.body,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


def download(
    kind: str, name: str, headers: list[str], rows: Iterable[Iterable[Any]]
) -> Response:
    """A table as a CSV or XLSX attachment."""
    return attachment(table_file(kind, name, headers, rows))


def hxl_download(text: str, name: str) -> Response:
    """An HXL-tagged CSV (already written by `core.tabular.to_hxl`)."""
    return attachment(
        ExportFile(text.encode("utf-8"), CSV_MEDIA, f"{safe_name(name)}.csv")
    )
