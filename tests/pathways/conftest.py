from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from puente.core.db import SYSTEM_SCOPE, set_tenant_scope
from puente.pathways.rules.catalogue import VerifiedCatalogue
from puente.pathways.service import JOBS
from puente.pathways.service.publications import load_catalogue

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="session")
def catalogue() -> VerifiedCatalogue:
    return load_catalogue()


@pytest.fixture(autouse=True)
def _jobs_run_in_the_test_transaction(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The after-commit subscribers (re-screening after a catalogue change) open
    their unit of work in the test's transaction, as the node opens one on its
    database: what they write is seen by the test and rolled back after it."""
    if "sessions" not in request.fixturenames:
        return
    sessions: sessionmaker[Session] = request.getfixturevalue("sessions")

    @contextmanager
    def open_unit_of_work() -> Iterator[Session]:
        job = sessions()
        set_tenant_scope(job, SYSTEM_SCOPE)
        try:
            yield job
            job.commit()
        except BaseException:
            job.rollback()
            raise
        finally:
            job.close()

    monkeypatch.setattr(JOBS, "open", open_unit_of_work)
