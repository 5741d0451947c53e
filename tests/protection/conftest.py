"""Fixtures for the protection service, API and web tests: the demo personas as
actors and persons registered through `puente.people`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import people
from puente.identity import service as identity_service
from puente.identity.models import User
from puente.identity.permissions import Actor


@pytest.fixture
def actor_of(session: Session) -> Callable[[str], Actor]:
    def make(username: str) -> Actor:
        user = session.scalars(select(User).where(User.username == username)).one()
        actor = identity_service.actor_for(user)
        return actor

    return make


@pytest.fixture
def caseworker(actor_of: Callable[[str], Actor]) -> Actor:
    return actor_of("caseworker.col")


@pytest.fixture
def supervisor(actor_of: Callable[[str], Actor]) -> Actor:
    return actor_of("supervisor.col")


@pytest.fixture
def officer(actor_of: Callable[[str], Actor]) -> Actor:
    return actor_of("protection.col")


@pytest.fixture
def caseworker_pan(actor_of: Callable[[str], Actor]) -> Actor:
    return actor_of("caseworker.pan")


Register = Callable[..., uuid.UUID]


@pytest.fixture
def register(session: Session, caseworker: Actor) -> Register:
    """Register a person through people's service; returns the id."""

    def make(
        actor: Actor | None = None,
        *,
        nationality: str = "VEN",
        birth_date: str = "1990-04-02",
        sex: str = "F",
        **extra: Any,
    ) -> uuid.UUID:
        data = people.PersonCreate.model_validate(
            {
                "given_name": extra.pop("given_name", "María"),
                "family_name": extra.pop(
                    "family_name", f"Pérez {uuid.uuid4().hex[:6]}"
                ),
                "sex": sex,
                "birth_date": birth_date,
                "nationality": nationality,
                **extra,
            }
        )
        person = people.register_person(session, actor=actor or caseworker, data=data)
        return person.id

    return make
