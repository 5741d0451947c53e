"""Early-warning errors (families from `core.errors`)."""

from __future__ import annotations

from collections.abc import Sequence

from puente.core.errors import InvalidInput, NotFound
from puente.core.i18n import N_


class FlowFileRejected(InvalidInput):
    """A flow file failed validation; nothing was written. `problems` name the
    file, row (1-based, as a spreadsheet shows it) and column of each."""

    message = N_("The file %(file)s was rejected: %(first)s")

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        super().__init__(file=file, first=problems[0] if problems else "")
        self.problems = tuple(problems)

    @property
    def detail(self) -> object:
        return list(self.problems)


class SourceNotFound(NotFound):
    message = N_("No flow source named %(source)s.")


class SeriesNotFound(NotFound):
    message = N_("No flow series %(series_key)s.")


class CatalogueNotFound(NotFound):
    message = N_("No trigger catalogue version %(version)s.")
