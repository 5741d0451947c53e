"""Imports every models.py so that Base.metadata knows every table (for Alembic)."""

from __future__ import annotations

import importlib

from puente.core import audit  # noqa: F401  (audit_event, audit_head, audit_checkpoint)
from puente.core.db import Base

MODULES = (
    "identity",
    "people",
    "protection",
    "pathways",
    "early_warning",
)


def load_all_models() -> type[Base]:
    for module in MODULES:
        try:
            importlib.import_module(f"puente.{module}.models")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"puente.{module}", f"puente.{module}.models"):
                raise
    return Base
