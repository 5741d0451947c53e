"""Identity in/out shapes."""

from __future__ import annotations

from pydantic import BaseModel


class MeRead(BaseModel):
    username: str
    tenant: str
    organisation: str | None
    roles: list[str]
