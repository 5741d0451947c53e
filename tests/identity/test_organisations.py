"""The organisations an actor may assign work to (demo directory)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from puente.identity import Actor, Role, list_organisations


def _actor(tenant: str) -> Actor:
    return Actor(
        uuid.uuid4(), "coordinator.test", tenant, None, frozenset({Role.COORDINATOR})
    )


class TestListOrganisations:
    def test_defaults_to_the_actors_tenant_and_the_hub(self, session: Session) -> None:
        found = list_organisations(session, actor=_actor("COL"))
        assert {org.tenant_code for org in found} == {"COL", "HUB"}
        assert "Fundación Refugio (NGO)" in {org.name for org in found}
        hub = [org for org in found if org.is_regional]
        assert [org.name for org in hub] == ["Regional hub secretariat"]
        assert found[: len(hub)] == hub  # regional organisations first

    def test_named_tenants_only_and_never_employers(self, session: Session) -> None:
        found = list_organisations(session, actor=_actor("HUB"), tenant_codes=["CAN"])
        assert {org.tenant_code for org in found} == {"CAN", "HUB"}
        assert "employer" not in {org.kind for org in found}
        assert "Prairie Growers Co-operative" not in {org.name for org in found}
        assert {org.name for org in found if org.tenant_code == "CAN"} == {
            "Immigration, Refugees and Citizenship Canada",
            "UNHCR Canada",
            "IOM Canada",
        }
