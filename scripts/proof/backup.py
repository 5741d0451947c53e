"""Backup and restore of 100,000 people, and crypto-shredding across the backup.

Builds a SQLite registry of --people persons (bulk insert) on top of the demo, of
whom --sealed have a contact sealed with their own data key, takes an online
backup (SQLite backup API), erases one sealed person by key destruction
(`people.erase_person`), restores the backup into a new file and checks: every
person is back, another person's sealed value opens in the restored copy, and the
erased person's sealed value does not (PersonKeyDestroyed); then replays the
erasure from the key store on the restored copy (`puente db upgrade` does it) and
checks the erased person's name is gone too. Prints JSON; exits 1 when any check
fails.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from _common import ROOT, emit, fail, prepared_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--sealed", type=int, default=1_000)
    args = parser.parse_args()
    work = ROOT / "var" / "proof" / "backup"
    work.mkdir(parents=True, exist_ok=True)
    env = prepared_database("sqlite", work, "live")
    for name in ("PUENTE_DATABASE_URL", "PUENTE_KEY_DIR", "PUENTE_VAR_DIR"):
        os.environ[name] = env[name]

    from sqlalchemy import func, insert, select

    from puente.core.crypto import (
        PersonKeyDestroyed,
        decrypt_for_person,
        get_person_keys,
    )
    from puente.core.db import make_engine, session_factory, utcnow
    from puente.identity.service import actor_for, get_user_by_username
    from puente.people import erase_person
    from puente.people import repository as repo
    from puente.people.models import ContactDetail, Person

    live_url = env["PUENTE_DATABASE_URL"]
    live_path = live_url.removeprefix("sqlite:///")
    engine = make_engine(live_url)
    make = session_factory(engine)
    started = time.perf_counter()
    with make() as session:
        caseworker = actor_for(get_user_by_username(session, "caseworker.col"))
        now = utcnow()
        ids = [uuid.uuid4() for _ in range(args.people)]
        for start in range(0, args.people, 5000):
            session.execute(
                insert(Person),
                [
                    {
                        "id": pid,
                        "tenant_code": "COL",
                        "organisation_id": caseworker.organisation_id,
                        "owner_id": caseworker.user_id,
                        "given_name": f"Persona{n}",
                        "family_name": "Respaldo",
                        "given_norm": f"persona{n}",
                        "family_norm": "respaldo",
                        "sex": "FM"[n % 2],
                        "birth_year": 1950 + n % 60,
                        "nationality": "VEN",
                        "other_nationalities": "",
                        "languages": "spa",
                        "consent_to_tracing": False,
                        "has_protection_flag": False,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n, pid in enumerate(ids[start : start + 5000], start)
                ],
            )
        contacts: list[dict[str, Any]] = []
        for n, pid in enumerate(ids[: args.sealed]):
            row_id = uuid.uuid4()
            contacts.append(
                {
                    "id": row_id,
                    "tenant_code": "COL",
                    "person_id": pid,
                    "kind": "phone",
                    "value_encrypted": repo.seal(
                        tenant="COL",
                        table="contact_detail",
                        column="value",
                        row_id=row_id,
                        person_id=pid,
                        value=f"+57 300 {n:07d}",
                    ),
                    "created_at": now,
                }
            )
        session.execute(insert(ContactDetail), contacts)
        session.commit()
        total = session.scalar(select(func.count()).select_from(Person))
    build_seconds = time.perf_counter() - started

    backup_path = work / "backup.db"
    backup_path.unlink(missing_ok=True)
    started = time.perf_counter()
    with sqlite3.connect(live_path) as src, sqlite3.connect(backup_path) as dst:
        src.backup(dst)
    backup_seconds = time.perf_counter() - started

    erased, kept = ids[0], ids[1]
    with make() as session:
        erase_person(session, actor=caseworker, person_id=erased)
        session.commit()
    engine.dispose()

    restored_path = work / "restored.db"
    restored_path.unlink(missing_ok=True)
    started = time.perf_counter()
    with sqlite3.connect(backup_path) as src, sqlite3.connect(restored_path) as dst:
        src.backup(dst)
    restore_seconds = time.perf_counter() - started

    restored = make_engine(f"sqlite:///{restored_path}")
    with session_factory(restored)() as session:
        restored_total = session.scalar(select(func.count()).select_from(Person))
        rows = {
            row.person_id: row
            for row in session.scalars(
                select(ContactDetail).where(ContactDetail.person_id.in_([erased, kept]))
            )
        }
        erased_name = session.get(Person, erased)
    restored.dispose()

    def opens(person_id: uuid.UUID) -> str | None:
        row = rows[person_id]
        try:
            return decrypt_for_person(
                get_person_keys(),
                tenant=row.tenant_code,
                table="contact_detail",
                column="value",
                row_id=str(row.id),
                blob=row.value_encrypted,
            )
        except PersonKeyDestroyed:
            return None

    kept_value = opens(kept)
    erased_value = opens(erased)
    name_before_replay = erased_name is not None and erased_name.given_name != ""

    # What `puente db upgrade` does on a restored database: the key store (outside
    # the database and its backups) says who was erased; erase them here again.
    from puente.people.service import replay_erasures

    started = time.perf_counter()
    with session_factory(restored)() as session:
        replayed = replay_erasures(session)
        session.commit()
        after = session.get(Person, erased)
        name_after_replay = after is not None and after.given_name != ""
    replay_seconds = time.perf_counter() - started
    restored.dispose()  # checkpoints the WAL into the file
    # Raw bytes too (free pages and the WAL included): secure_delete zeroes them.
    raw = restored_path.read_bytes()
    wal = Path(f"{restored_path}-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    name_in_file = re.search(rb"(?i)persona0(?![0-9])", raw) is not None
    result = {
        "backend": "sqlite",
        "people": total,
        "people_added": args.people,
        "people_with_sealed_values": args.sealed,
        "build_seconds": round(build_seconds, 1),
        "backup_seconds": round(backup_seconds, 2),
        "backup_megabytes": round(backup_path.stat().st_size / 1e6, 1),
        "restore_seconds": round(restore_seconds, 2),
        "restored_people": restored_total,
        "all_people_restored": restored_total == total,
        "erased_person_ciphertext_in_restored_copy": erased in rows,
        "erased_person_value_readable_in_restored_copy": erased_value is not None,
        "other_person_value_readable_in_restored_copy": kept_value == "+57 300 0000001",
        "erased_person_name_plaintext_in_restored_copy": name_before_replay,
        "erasures_replayed": replayed,
        "replay_seconds": round(replay_seconds, 2),
        "erased_person_name_readable_after_replay": name_after_replay,
        "erased_person_name_in_restored_file_after_replay": name_in_file,
    }
    emit({"backup": result})
    if not (
        result["all_people_restored"]
        and result["erased_person_ciphertext_in_restored_copy"]
        and not result["erased_person_value_readable_in_restored_copy"]
        and result["other_person_value_readable_in_restored_copy"]
        and replayed == 1
        and not name_after_replay
        and not name_in_file
    ):
        fail("backup/restore or crypto-shredding check failed")


if __name__ == "__main__":
    main()
