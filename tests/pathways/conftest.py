from __future__ import annotations

from datetime import date

import pytest

from puente.pathways.rules.catalogue import VerifiedCatalogue, load_catalogue

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="session")
def catalogue() -> VerifiedCatalogue:
    return load_catalogue()
