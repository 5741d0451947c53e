"""Exports of a caseworker's own cases: CSV, XLSX, and the IOM Human Trafficking
Case Data Standard (HTCDS v2) for trafficking cases.

Encrypted with a password by default. The envelope (format `PUENTE-EXPORT v1`):

    magic  b"PNTEXP01"            8 bytes
    salt                          16 bytes  (scrypt salt)
    nonce                         12 bytes  (AES-GCM nonce)
    ciphertext || tag             AES-256-GCM of the file; AAD = magic + salt
    key = scrypt(password, salt, n=2**15, r=8, p=1, length=32)

`puente protection decrypt-export FILE` reverses it (`decrypt_export`). Cells that
begin with `=`, `+`, `-`, `@`, tab or carriage return get a leading `'` so that a
spreadsheet never runs them as formulas. Each export is audited; a person
protected from the recipient state is left out (DP-1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.errors import InvalidInput
from puente.core.tabular import neutralise as neutralise_cell
from puente.identity import Actor, authorize, visible
from puente.protection.errors import ExportPasswordTooShort
from puente.protection.models import Case, Screening
from puente.protection.rules.disclosure import Channel, DisclosureForbidden
from puente.protection.service._common import (
    guard_disclosure,
    protection_facts,
    record,
    unseal,
)
from puente.protection.service._people import person_label

MAGIC = b"PNTEXP01"
_SALT = 16
_NONCE = 12
MIN_PASSWORD = 12
FORMATS = ("csv", "xlsx", "htcds")

CASE_COLUMNS = (
    "case_number",
    "case_type",
    "state",
    "priority",
    "opened_at",
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "nationality",
    "flags",
    "summary",
)

# HTCDS v2 field names (UNMigration/HTCDS, Field Definitions) this export fills.
HTCDS_COLUMNS = (
    "CaseID",
    "DataSource",
    "RegistrationDate",
    "VictimStatus",
    "Gender",
    "AgeBroad",
    "Citizenship",
    "MethodsOfControlDebtBondage",
    "MethodsOfControlTakesEarnings",
    "MethodsOfControlThreats",
    "MethodsOfControlPhysicalAbuse",
    "MethodsOfControlRestrictsMovement",
    "MethodsOfControlExcessiveWorkingHours",
    "MethodsOfControlThreatOfLawEnforcement",
    "MethodsOfControlWithholdsDocuments",
    "MethodsOfControlFalsePromises",
)
_CONTROL_INDICATORS = {
    "MethodsOfControlDebtBondage": ("ti_cd_debt_bondage", "ti_cr_debt_bondage"),
    "MethodsOfControlTakesEarnings": ("ti_cd_wages_withheld",),
    "MethodsOfControlThreats": ("ti_cd_threat_family", "ti_cr_threats"),
    "MethodsOfControlPhysicalAbuse": ("ti_cd_violence", "ti_cr_violence"),
    "MethodsOfControlRestrictsMovement": ("ti_cd_isolation", "ti_cr_isolation"),
    "MethodsOfControlExcessiveWorkingHours": ("ti_ex_excessive_hours",),
    "MethodsOfControlThreatOfLawEnforcement": ("ti_cd_threat_denunciation",),
    "MethodsOfControlWithholdsDocuments": (
        "ti_cd_documents_confiscated",
        "ti_cr_documents_confiscated",
    ),
    "MethodsOfControlFalsePromises": (
        "ti_dr_deceived_nature_of_job",
        "ti_dr_deceived_conditions",
        "ti_dr_deceived_wages",
    ),
}
_TRAFFICKING_FLAGS = {"presumed_trafficking_victim", "trafficking_indicators"}


class ExportDecryptionFailed(InvalidInput):
    message = "The export could not be decrypted (wrong password or damaged file)."


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    media_type: str
    count: int
    left_out: int
    is_encrypted: bool


def neutralise(value: object) -> str:
    """A cell as text that no spreadsheet will evaluate."""
    return neutralise_cell("" if value is None else str(value))


def _scrypt(password: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(
        password.encode("utf-8")
    )


def encrypt_export(content: bytes, password: str) -> bytes:
    if len(password) < MIN_PASSWORD:
        raise ExportPasswordTooShort()
    salt = os.urandom(_SALT)
    nonce = os.urandom(_NONCE)
    key = _scrypt(password, salt)
    return MAGIC + salt + nonce + AESGCM(key).encrypt(nonce, content, MAGIC + salt)


def decrypt_export(blob: bytes, password: str) -> bytes:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _SALT + _NONCE + 16:
        raise ExportDecryptionFailed()
    salt = blob[len(MAGIC) : len(MAGIC) + _SALT]
    nonce = blob[len(MAGIC) + _SALT : len(MAGIC) + _SALT + _NONCE]
    try:
        return AESGCM(_scrypt(password, salt)).decrypt(
            nonce, blob[len(MAGIC) + _SALT + _NONCE :], MAGIC + salt
        )
    except InvalidTag as exc:
        raise ExportDecryptionFailed() from exc


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "cases"
    sheet.append(list(columns))
    for row in rows:
        # Every cell is a string: nothing is typed as a formula.
        sheet.append([neutralise(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _age_broad(age: int | None) -> str:
    if age is None:
        return "Unknown"
    if age < 9:
        return "0--8"
    if age < 18:
        return "9--17"
    if age < 39:
        return "18--38"
    return "39+"


def _own_cases(session: Session, actor: Actor) -> list[Case]:
    stmt = select(Case).order_by(Case.opened_at)
    # The export grant of a caseworker is OWN: `visible` narrows to owner_id.
    return list(session.scalars(visible(actor, stmt, Case, "export:cases")))


def export_cases(
    session: Session,
    *,
    actor: Actor,
    fmt: str = "csv",
    password: str | None = None,
    encrypt: bool = True,
    recipient_state: str | None = None,
) -> ExportFile:
    """The actor's own cases (`export:cases`) as CSV, XLSX or HTCDS (CSV),
    encrypted unless `encrypt=False` is asked for. Audited, with the count."""
    authorize(actor, "export:cases", tenant_code=actor.tenant_code)
    if fmt not in FORMATS:
        raise InvalidInput()
    if encrypt and (password is None or len(password) < MIN_PASSWORD):
        raise ExportPasswordTooShort()
    recipient = (recipient_state or actor.tenant_code).upper()
    rows: list[dict[str, Any]] = []
    left_out = 0
    for case in _own_cases(session, actor):
        flags = {f for f in case.flags.split(",") if f}
        if (
            fmt == "htcds"
            and case.case_type != "trafficking"
            and not (flags & _TRAFFICKING_FLAGS)
        ):
            continue
        person, facts = protection_facts(session, actor, case.person_id)
        try:
            guard_disclosure(
                session,
                actor,
                facts=facts,
                person_id=case.person_id,
                recipient_state=recipient,
                channel=Channel.EXPORT,
                object_id=case.id,
            )
        except DisclosureForbidden:
            left_out += 1
            continue
        label = person_label(session, actor, case.person_id)
        if fmt == "htcds":
            rows.append(_htcds_row(session, case, person.age_years, label.sex))
            rows[-1]["Citizenship"] = label.nationality
        else:
            rows.append(
                {
                    "case_number": case.number,
                    "case_type": case.case_type,
                    "state": case.state,
                    "priority": case.priority,
                    "opened_at": case.opened_at.isoformat(),
                    "given_name": label.given_name,
                    "family_name": label.family_name,
                    "sex": label.sex,
                    "birth_date": label.birth_date,
                    "nationality": label.nationality,
                    "flags": case.flags.replace(",", " "),
                    "summary": case.summary,
                }
            )
    columns = HTCDS_COLUMNS if fmt == "htcds" else CASE_COLUMNS
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if fmt == "xlsx":
        content = _xlsx(columns, rows)
        name = f"cases-{stamp}.xlsx"
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = _csv(columns, rows)
        name = f"{'htcds' if fmt == 'htcds' else 'cases'}-{stamp}.csv"
        media = "text/csv"
    if encrypt:
        assert password is not None  # noqa: S101 - checked above
        content = encrypt_export(content, password)
        name += ".pnt"
        media = "application/octet-stream"
    record(
        session,
        actor,
        "protection:export:cases",
        object_type="export",
        object_id=uuid.uuid4(),
        fmt=fmt,
        count=len(rows),
        left_out=left_out,
        encrypted=encrypt,
    )
    return ExportFile(name, content, media, len(rows), left_out, encrypt)


def _htcds_row(
    session: Session, case: Case, age: int | None, sex: str
) -> dict[str, Any]:
    flags = {f for f in case.flags.split(",") if f}
    answers: dict[str, Any] = {}
    if case.screening_id is not None:
        screening = session.get(Screening, case.screening_id)
        if screening is not None and screening.sensitive_sealed:
            answers = unseal(
                screening.tenant_code,
                "protection_screening",
                "sensitive",
                screening.id,
                screening.sensitive_sealed,
            )["answers"]
    row: dict[str, Any] = {
        "CaseID": case.number,
        "DataSource": f"Puente {case.tenant_code}",
        "RegistrationDate": case.opened_at.date().isoformat(),
        "VictimStatus": "Possible victim"
        if "presumed_trafficking_victim" not in flags
        else "Presumed victim",
        "Gender": {"female": "Female", "male": "Male", "f": "Female", "m": "Male"}.get(
            sex.lower(), "Other/Unknown"
        ),
        "AgeBroad": _age_broad(age),
    }
    for column, indicators in _CONTROL_INDICATORS.items():
        row[column] = "TRUE" if any(answers.get(i) is True for i in indicators) else ""
    return row
