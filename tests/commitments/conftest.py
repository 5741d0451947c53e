"""Commitments fixtures: the financing, coordination and commitments demos
loaded once per suite database (idempotent, committed)."""

from __future__ import annotations

import pytest
from rich.progress import Progress
from sqlalchemy.orm import Session

from puente.core import db as core_db
from tests.coordination.conftest import coordination_demo
from tests.financing.conftest import demo_actor, financing_demo

__all__ = ["coordination_demo", "demo_actor", "financing_demo"]


@pytest.fixture(scope="session")
def commitments_demo(coordination_demo: str) -> str:
    from puente.commitments import demo

    engine = core_db.make_engine(coordination_demo)
    with core_db.uow(engine=engine) as session, Progress(disable=True) as progress:
        demo.load(session, progress)
    engine.dispose()
    return coordination_demo


@pytest.fixture
def demo_session(commitments_demo: str, session: Session) -> Session:
    return session
