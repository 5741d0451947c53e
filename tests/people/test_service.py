"""People service: search before create, tenant walls (RLS alone included),
optimistic locking, households, sensitive attributes and protection facts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.config import get_settings
from puente.core.db import set_tenant_scope
from puente.core.errors import PermissionDenied
from puente.identity import Actor, rls_scope
from puente.identity.service import actor_for, get_user_by_username
from puente.people import (
    ConsentIn,
    HouseholdCreate,
    HouseholdMemberIn,
    PersonCreate,
    PersonFilter,
    PersonNotFound,
    PersonUpdate,
    Relationship,
    SearchQuery,
    SensitiveKind,
    SensitiveNotAllowed,
    StaleEdit,
    add_member,
    create_household,
    get_person,
    list_people,
    person_facts_for_protection,
    read_sensitive,
    record_sensitive,
    register_person,
    search_people,
    update_person,
)
from puente.people.models import Person


def actor(session: Session, username: str) -> Actor:
    return actor_for(get_user_by_username(session, username))


def person(**overrides: Any) -> PersonCreate:
    data: dict[str, Any] = {
        "given_name": "María José",
        "family_name": "de la Cruz Rodríguez",
        "sex": "F",
        "birth_date": "1992-08-14",
        "nationality": "VEN",
    }
    data.update(overrides)
    return PersonCreate.model_validate(data)


def found(session: Session, who: Actor, **query: Any) -> list[uuid.UUID]:
    return [
        c.person_id
        for c in search_people(session, actor=who, query=SearchQuery(**query))
    ]


class TestSearchBeforeCreate:
    @pytest.mark.parametrize(
        ("given", "family", "birth"),
        [
            ("Maria Jose", "De La Cruz Rodriguez", "1992-08-14"),  # accents
            ("María José", "Cruz Rodríguez", None),  # particle dropped
            ("Maria", "Cruz", "1992"),  # one given name, one surname, year only
            ("María José", "Rodríguez de la Cruz", "1992-08"),  # surnames swapped
            ("Cruz Rodríguez", "María José", "1992-08-14"),  # given/family swapped
            ("Mariá Josè", "de la Krus Rodrigues", "1992-08"),  # spelling
        ],
    )
    def test_finds_variants(
        self, session: Session, given: str, family: str, birth: str | None
    ) -> None:
        cw = actor(session, "caseworker.col")
        created = register_person(session, actor=cw, data=person())
        ids = found(session, cw, given_name=given, family_name=family, birth_date=birth)
        assert created.id in ids

    def test_a_long_free_text_query_reads_its_probes_in_several_statements(
        self, session: Session
    ) -> None:
        # Ten words give nine readings and about 900 probes: more than one SQLite
        # compound statement holds (500 terms), so the probes are read in chunks.
        cw = actor(session, "caseworker.col")
        created = register_person(session, actor=cw, data=person())
        q = "maria jose carmen luisa ana de la cruz rodriguez perez"
        assert created.id in found(session, cw, q=q, birth_date="1992")

    def test_free_text_query_and_document(self, session: Session) -> None:
        cw = actor(session, "caseworker.col")
        created = register_person(
            session,
            actor=cw,
            data=person(
                documents=[{"document_type": "passport", "number": "AB-123.456"}]
            ),
        )
        assert created.id in found(session, cw, q="maria jose cruz rodriguez")
        by_document = search_people(
            session,
            actor=cw,
            query=SearchQuery(document_number="ab123456", family_name="Zzz"),
        )
        hit = next(c for c in by_document if c.person_id == created.id)
        outcome = {f.field: f.outcome for f in hit.fields}
        assert outcome["document_number"] == "match"

    def test_haitian_creole_spelling(self, session: Session) -> None:
        cw = actor(session, "caseworker.col")
        created = register_person(
            session,
            actor=cw,
            data=person(given_name="Jean Baptiste", family_name="Joseph",
                        sex="M", nationality="HTI", birth_date="1980"),
        )  # fmt: skip
        assert created.id in found(
            session, cw, given_name="Jan Batis", family_name="Jozèf"
        )

    def test_different_person_is_not_proposed(self, session: Session) -> None:
        cw = actor(session, "caseworker.col")
        created = register_person(session, actor=cw, data=person())
        ids = found(
            session, cw, given_name="Pedro", family_name="Gómez", birth_date="1960"
        )
        assert created.id not in ids

    def test_tracing_searches_only_consenting_persons(self, session: Session) -> None:
        cw = actor(session, "caseworker.col")
        silent = register_person(session, actor=cw, data=person())
        willing = register_person(
            session, actor=cw, data=person(consent_to_tracing=True)
        )
        ids = found(
            session,
            cw,
            given_name="Maria Jose",
            family_name="Cruz",
            only_tracing_consent=True,
        )
        assert willing.id in ids
        assert silent.id not in ids

    def test_other_tenant_is_never_a_candidate(self, session: Session) -> None:
        col = register_person(
            session, actor=actor(session, "caseworker.col"), data=person()
        )
        pan = actor(session, "caseworker.pan")
        assert col.id not in found(
            session, pan, given_name="María José", family_name="de la Cruz Rodríguez"
        )


class TestTenantWalls:
    def test_supervisor_reads_other_tenant_gets_404(self, session: Session) -> None:
        created = register_person(
            session, actor=actor(session, "caseworker.col"), data=person()
        )
        assert (
            get_person(
                session, actor=actor(session, "supervisor.col"), person_id=created.id
            ).id
            == created.id
        )
        with pytest.raises(PersonNotFound):
            get_person(
                session, actor=actor(session, "caseworker.pan"), person_id=created.id
            )

    def test_rls_alone_hides_people_of_another_tenant(
        self, session: Session, backend: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if backend != "postgresql":
            pytest.skip("row-level security is PostgreSQL's")
        created = register_person(
            session, actor=actor(session, "caseworker.col"), data=person()
        )
        record_sensitive(
            session,
            actor=actor(session, "caseworker.col"),
            person_id=created.id,
            attribute=SensitiveKind.HEALTH,
            value="x",
            consent=ConsentIn(),
        )
        monkeypatch.setattr(get_settings(), "app_filter_enabled", False)
        pan = actor(session, "caseworker.pan")
        set_tenant_scope(session, rls_scope(pan))
        with pytest.raises(PersonNotFound):
            get_person(session, actor=pan, person_id=created.id)
        assert created.id not in found(
            session, pan, given_name="María José", family_name="de la Cruz"
        )
        page = list_people(session, actor=pan, filters=PersonFilter(limit=200))
        assert all(item.id != created.id for item in page.items)
        assert session.scalars(select(Person.tenant_code).distinct()).all() in (
            [],
            ["PAN"],
        )
        # Writing into another tenant is refused by the database too.
        nested = session.begin_nested()
        session.add(
            Person(tenant_code="COL", given_name="x", family_name="x", given_norm="x",
                   family_norm="x", sex="U")
        )  # fmt: skip
        with pytest.raises(Exception, match="row-level security"):
            session.flush()
        nested.rollback()


class TestOptimisticLocking:
    def test_stale_version_conflicts_and_keeps_the_stored_record(
        self, session: Session
    ) -> None:
        cw = actor(session, "caseworker.col")
        created = register_person(session, actor=cw, data=person())
        updated = update_person(
            session,
            actor=cw,
            person_id=created.id,
            data=PersonUpdate(expected_version=1, birth_date="1992"),
        )
        assert updated.version == 2
        assert updated.birth_date == "1992"
        with pytest.raises(StaleEdit):
            update_person(
                session,
                actor=cw,
                person_id=created.id,
                data=PersonUpdate(expected_version=1, given_name="Otra"),
            )
        again = get_person(session, actor=cw, person_id=created.id)
        assert (again.given_name, again.version) == ("María José", 2)

    def test_renaming_updates_the_search_keys(self, session: Session) -> None:
        cw = actor(session, "caseworker.col")
        created = register_person(session, actor=cw, data=person())
        update_person(
            session,
            actor=cw,
            person_id=created.id,
            data=PersonUpdate(expected_version=1, family_name="Zambrano Quispe"),
        )
        assert created.id in found(
            session, cw, given_name="Maria", family_name="Zambrano"
        )


class TestHouseholds:
    def test_household_with_relationships(self, session: Session) -> None:
        cw = actor(session, "caseworker.col")
        mother = register_person(session, actor=cw, data=person())
        child = register_person(
            session,
            actor=cw,
            data=person(given_name="Luis", sex="M", birth_date="2016"),
        )
        household = create_household(
            session,
            actor=cw,
            data=HouseholdCreate(
                members=[
                    HouseholdMemberIn(
                        person_id=mother.id, relationship=Relationship.HEAD,
                        is_caregiver=True,
                    ),
                ]
            ),
        )  # fmt: skip
        household = add_member(
            session,
            actor=cw,
            household_id=household.id,
            member=HouseholdMemberIn(
                person_id=child.id, relationship=Relationship.CHILD
            ),
        )
        assert household.head_person_id == mother.id
        assert {m.relationship for m in household.members} == {"head", "child"}

    def test_another_tenants_person_cannot_be_added(self, session: Session) -> None:
        col = register_person(
            session, actor=actor(session, "caseworker.col"), data=person()
        )
        with pytest.raises(PersonNotFound):
            create_household(
                session,
                actor=actor(session, "caseworker.pan"),
                data=HouseholdCreate(
                    members=[HouseholdMemberIn(person_id=col.id, relationship="head")]
                ),
            )


class TestSensitive:
    def test_reads_are_refused_below_the_ceiling_and_audited_above(
        self, session: Session
    ) -> None:
        cw = actor(session, "caseworker.col")
        created = register_person(session, actor=cw, data=person())
        record_sensitive(
            session,
            actor=cw,
            person_id=created.id,
            attribute=SensitiveKind.SOGIESC,
            value="trans woman",
            consent=ConsentIn(method="written"),
        )
        with pytest.raises(SensitiveNotAllowed):
            read_sensitive(session, actor=cw, person_id=created.id)
        with pytest.raises(PermissionDenied):
            read_sensitive(
                session, actor=actor(session, "pathways.col"), person_id=created.id
            )
        supervisor = actor(session, "supervisor.col")
        facts = read_sensitive(session, actor=supervisor, person_id=created.id)
        assert [(f.attribute, f.value, f.consent_method) for f in facts] == [
            ("sogiesc", "trans woman", "written")
        ]
        reads = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "people:sensitive:read",
                AuditEvent.object_id == str(created.id),
            )
        ).all()
        assert len(reads) == 1
        assert "trans" not in reads[0].details
        assert reads[0].actor_id == str(supervisor.user_id)

    def test_other_tenant_gets_404_not_403(self, session: Session) -> None:
        created = register_person(
            session, actor=actor(session, "caseworker.col"), data=person()
        )
        with pytest.raises(PersonNotFound):
            read_sensitive(
                session, actor=actor(session, "caseworker.pan"), person_id=created.id
            )


class TestProtectionFacts:
    def test_flags_from_encrypted_attributes(self, session: Session) -> None:
        cw = actor(session, "caseworker.col")
        created = register_person(
            session,
            actor=cw,
            data=person(birth_date="2010", other_nationalities=["COL"]),
        )
        facts = person_facts_for_protection(session, actor=cw, person_id=created.id)
        assert not facts.has_asylum_claim
        assert facts.is_child is True
        assert facts.nationalities == frozenset({"VEN", "COL"})
        for kind, value in (
            (SensitiveKind.ASYLUM_CLAIM, "pending"),
            (SensitiveKind.FEARED_STATES, "ven, nic"),
        ):
            record_sensitive(
                session,
                actor=cw,
                person_id=created.id,
                attribute=kind,
                value=value,
                consent=ConsentIn(),
            )
        facts = person_facts_for_protection(session, actor=cw, person_id=created.id)
        assert facts.has_asylum_claim
        assert facts.persecutor_states == frozenset({"VEN", "NIC"})
        fields = facts.disclosure_fields()
        assert fields["country_of_origin"] == "VEN"
        assert fields["has_asylum_claim"] is True


class TestDemo:
    @pytest.mark.slow
    def test_demo_load_is_idempotent(self, session: Session) -> None:
        from rich.progress import Progress

        from puente.people import demo

        with Progress(disable=True) as progress:
            first = demo.load(session, progress)
            second = demo.load(session, progress)
        assert not first.startswith("0 people")
        assert second.startswith("0 people")
        tenants = session.scalars(select(Person.tenant_code).distinct()).all()
        assert {"COL", "PAN", "MEX"} <= set(tenants)
