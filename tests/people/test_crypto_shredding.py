"""Erasing a person destroys their data key: every copy of their ciphertexts,
a backup's included, is unreadable afterwards (ADR 0010)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.config import Settings
from puente.core.crypto import (
    DecryptionFailed,
    PersonKeyDestroyed,
    decrypt_for_person,
    encrypt_field,
    get_person_keys,
    key_owner,
)
from puente.core.db import make_engine
from puente.core.migrate import downgrade, upgrade
from puente.identity import Actor
from puente.identity.service import actor_for, get_user_by_username
from puente.people import (
    ConsentIn,
    PersonCreate,
    PersonNotFound,
    SearchQuery,
    SensitiveKind,
    erase_person,
    get_person,
    read_sensitive,
    record_sensitive,
    register_person,
    search_people,
)
from puente.people.models import (
    ContactDetail,
    IdentityDocument,
    Person,
    SensitiveAttribute,
)
from tests.conftest import drop_pg_database, fresh_database_url

_SEALED: tuple[tuple[Any, str, str, str], ...] = (
    (IdentityDocument, "identity_document", "number", "number_encrypted"),
    (ContactDetail, "contact_detail", "value", "value_encrypted"),
    (SensitiveAttribute, "sensitive_attribute", "value", "value_encrypted"),
)


def actor(session: Session, username: str) -> Actor:
    return actor_for(get_user_by_username(session, username))


def _register(session: Session, cw: Actor, given: str) -> uuid.UUID:
    created = register_person(
        session,
        actor=cw,
        data=PersonCreate.model_validate(
            {
                "given_name": given,
                "family_name": "Shredder",
                "sex": "F",
                "birth_date": "1990-01-02",
                "nationality": "VEN",
                "documents": [{"document_type": "passport", "number": f"P{given}77"}],
                "contacts": [{"kind": "phone", "value": f"+57 300 {given}"}],
            }
        ),
    )
    record_sensitive(
        session,
        actor=cw,
        person_id=created.id,
        attribute=SensitiveKind.FEARED_STATES,
        value="nic",
        consent=ConsentIn(method="written"),
    )
    return created.id


def _copies(session: Session, person_id: uuid.UUID) -> list[tuple[str, str, Any]]:
    """What a backup holds: every sealed blob of the person with its place."""
    out = []
    for model, table, column, data in _SEALED:
        for row in session.scalars(select(model).where(model.person_id == person_id)):
            out.append((table, column, (row.tenant_code, row.id, getattr(row, data))))
    return out


def _open(_person_id: uuid.UUID, table: str, column: str, item: Any) -> str:
    tenant, row_id, blob = item
    return decrypt_for_person(
        get_person_keys(),
        tenant=tenant,
        table=table,
        column=column,
        row_id=str(row_id),
        blob=blob,
    )


def test_erasure_makes_every_copy_unreadable(session: Session) -> None:
    cw = actor(session, "caseworker.col")
    erased = _register(session, cw, "Ana")
    kept = _register(session, cw, "Bea")
    backup = _copies(session, erased)
    assert len(backup) == 3
    assert {blob[0] for _t, _c, (_tn, _id, blob) in backup} == {2}  # person layout
    assert {_open(erased, t, c, item) for t, c, item in backup} == {
        "PANA77",
        "+57 300 Ana",
        "NIC",
    }
    session.commit()

    erase_person(session, actor=cw, person_id=erased)
    session.commit()

    for table, column, item in backup:
        with pytest.raises(PersonKeyDestroyed):
            _open(erased, table, column, item)
    assert get_person_keys().is_destroyed("COL", erased)
    # The live database keeps a tombstone only.
    row = session.get(Person, erased)
    assert row is not None
    assert row.erased_at is not None
    assert (row.given_name, row.family_name, row.birth_year) == ("", "", None)
    assert _copies(session, erased) == []
    assert erased not in [
        c.person_id
        for c in search_people(session, actor=cw, query=SearchQuery(q="Ana Shredder"))
    ]
    audit = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "people:person:erase",
            AuditEvent.object_id == str(erased),
        )
    ).all()
    assert len(audit) == 1
    assert "Ana" not in audit[0].details
    # Nobody else is touched.
    assert get_person(session, actor=cw, person_id=kept).contacts[0].value == (
        "+57 300 Bea"
    )
    facts = read_sensitive(
        session, actor=actor(session, "supervisor.col"), person_id=kept
    )
    assert [f.value for f in facts] == ["NIC"]
    # The key is not recreated: nothing new can be sealed for an erased person.
    with pytest.raises(PersonKeyDestroyed):
        get_person_keys().data_key("COL", erased, create=True)
    # Erasing twice is harmless.
    erase_person(session, actor=cw, person_id=erased)


def test_erasure_respects_the_tenant_wall(session: Session) -> None:
    person_id = _register(session, actor(session, "caseworker.col"), "Cid")
    with pytest.raises(PersonNotFound):
        erase_person(
            session, actor=actor(session, "caseworker.pan"), person_id=person_id
        )
    assert not get_person_keys().is_destroyed("COL", person_id)


def test_a_blob_moved_to_another_row_does_not_open(session: Session) -> None:
    cw = actor(session, "caseworker.col")
    first = _register(session, cw, "Dan")
    second = _register(session, cw, "Eva")
    table, column, (tenant, _row, blob) = _copies(session, first)[0]
    _t, _c, (_tn, other_row, _b) = _copies(session, second)[0]
    with pytest.raises(DecryptionFailed):
        _open(second, table, column, (tenant, other_row, blob))
    assert key_owner(blob) == first


def test_values_of_layout_one_still_open(session: Session) -> None:
    person_id = uuid.uuid4()
    blob = encrypt_field(
        get_person_keys().keys,
        tenant="COL",
        table="contact_detail",
        column="value",
        row_id="r1",
        value="old",
    )
    assert _open(person_id, "contact_detail", "value", ("COL", "r1", blob)) == "old"


@pytest.mark.slow
def test_upgrade_reseals_existing_values_under_person_keys(
    db_url: str, settings: Settings, tmp_path: Path
) -> None:
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    url = fresh_database_url(backend, tmp_path, "reseal")
    upgrade("0101_people_duplicates", url)
    engine = make_engine(url)
    person_id, row_id = uuid.uuid4(), uuid.uuid4()
    old = encrypt_field(
        get_person_keys().keys,
        tenant="COL",
        table="contact_detail",
        column="value",
        row_id=str(row_id),
        value="+57 300 1234567",
    )
    with engine.begin() as conn:
        if backend == "postgresql":  # a system job's scope through the tenant wall
            conn.execute(text("SELECT set_config('app.tenant_ids', '*', true)"))
        conn.execute(
            insert(Person.metadata.tables["person"]).values(
                id=person_id,
                tenant_code="COL",
                given_name="Old",
                family_name="Row",
                given_norm="old",
                family_norm="row",
                sex="F",
                other_nationalities="",
                languages="",
                consent_to_tracing=False,
                has_protection_flag=False,
                version=1,
                created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
        )
        conn.execute(
            insert(ContactDetail.metadata.tables["contact_detail"]).values(
                id=row_id,
                tenant_code="COL",
                person_id=person_id,
                kind="phone",
                value_encrypted=old,
                created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
        )

    def stored() -> bytes:
        with engine.connect() as conn:
            if backend == "postgresql":
                conn.execute(text("SELECT set_config('app.tenant_ids', '*', true)"))
            return bytes(
                conn.execute(
                    select(
                        ContactDetail.metadata.tables[
                            "contact_detail"
                        ].c.value_encrypted
                    )
                ).scalar_one()
            )

    upgrade("heads", url)
    new = stored()
    assert new[0] == 2
    assert key_owner(new) == person_id
    assert _open(person_id, "contact_detail", "value", ("COL", row_id, new)) == (
        "+57 300 1234567"
    )
    downgrade("0101_people_duplicates", url)
    assert stored()[0] == 1
    engine.dispose()
    if backend == "postgresql":
        drop_pg_database(url.rsplit("/", 1)[1])
