"""Exports: encrypted by default, decryptable, formulas neutralised, own cases only,
HTCDS for trafficking cases, audited."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.errors import ExportPasswordTooShort
from puente.protection.service.exports import ExportDecryptionFailed
from tests.protection.conftest import Register

PASSWORD = "correct horse battery"


def test_neutralise_prefixes_formula_starts() -> None:
    assert [service.neutralise(v) for v in ("=1+1", "+a", "-2", "@x", "ok")] == [
        "'=1+1",
        "'+a",
        "'-2",
        "'@x",
        "ok",
    ]


def test_export_is_encrypted_and_decrypts_with_the_password(
    session: Session, caseworker: Actor, register: Register
) -> None:
    person = register(given_name="=HYPERLINK(1)")
    service.open_case(session, actor=caseworker, person_id=person, summary="@sum")
    file = service.export_cases(session, actor=caseworker, password=PASSWORD)
    assert file.is_encrypted
    assert file.content.startswith(b"PNTEXP01")
    assert b"HYPERLINK" not in file.content
    plain = service.decrypt_export(file.content, PASSWORD).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(plain)))
    assert any(r["given_name"] == "'=HYPERLINK(1)" for r in rows)
    assert any(r["summary"] == "'@sum" for r in rows)
    with pytest.raises(ExportDecryptionFailed):
        service.decrypt_export(file.content, "wrong password!!")
    audited = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "protection:export:cases")
    ).all()
    assert audited


def test_a_password_is_required_by_default(session: Session, caseworker: Actor) -> None:
    with pytest.raises(ExportPasswordTooShort):
        service.export_cases(session, actor=caseworker, password="short")


def test_only_the_caseworkers_own_cases(
    session: Session, caseworker: Actor, supervisor: Actor, register: Register
) -> None:
    mine = service.open_case(session, actor=caseworker, person_id=register())
    theirs = service.open_case(session, actor=supervisor, person_id=register())
    plain = service.export_cases(session, actor=caseworker, encrypt=False).content
    assert mine.number.encode() in plain
    assert theirs.number.encode() not in plain


def test_xlsx_and_htcds(
    session: Session, caseworker: Actor, register: Register
) -> None:
    person = register()
    screening, _ = service.screen_person(
        session,
        actor=caseworker,
        person_id=person,
        answers={"ti_cd_debt_bondage": True, "ti_cd_documents_confiscated": True},
    )
    service.open_case(
        session,
        actor=caseworker,
        person_id=person,
        screening_id=screening.id,
        case_type="trafficking",
    )
    xlsx = service.export_cases(session, actor=caseworker, fmt="xlsx", encrypt=False)
    assert xlsx.content[:2] == b"PK"
    htcds = service.export_cases(session, actor=caseworker, fmt="htcds", encrypt=False)
    rows = list(csv.DictReader(io.StringIO(htcds.content.decode("utf-8-sig"))))
    assert rows[0]["MethodsOfControlDebtBondage"] == "TRUE"
    assert rows[0]["MethodsOfControlWithholdsDocuments"] == "TRUE"
    assert rows[0]["Citizenship"] == "VEN"
