"""HTML pages of the people module: list, registration with search before create,
family registration, person detail, edit with optimistic locking, the
sensitive-information panel and the duplicate review queue. Forms are parsed into
the API's schemas and handed to the service; templates run no queries.

Household routes are included before person routes so that `/households/...`
is never read as a person id."""

from __future__ import annotations

from fastapi import APIRouter

from puente.people.web import duplicates, households, persons, pickers, remote_checks

router = APIRouter(include_in_schema=False)
router.include_router(households.router)
router.include_router(remote_checks.router)
router.include_router(persons.router)
router.include_router(duplicates.router)

__all__ = ["pickers", "router"]
