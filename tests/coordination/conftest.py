"""Coordination fixtures: the financing and coordination demos loaded once per
suite database (idempotent, committed)."""

from __future__ import annotations

import pytest
from rich.progress import Progress
from sqlalchemy.orm import Session

from puente.core import db as core_db
from tests.financing.conftest import financing_demo

__all__ = ["financing_demo"]


@pytest.fixture(scope="session")
def coordination_demo(financing_demo: str) -> str:
    from puente.coordination import demo

    engine = core_db.make_engine(financing_demo)
    with core_db.uow(engine=engine) as session, Progress(disable=True) as progress:
        demo.load(session, progress)
    engine.dispose()
    return financing_demo


@pytest.fixture
def demo_session(coordination_demo: str, session: Session) -> Session:
    return session
