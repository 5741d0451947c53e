"""What the database holds, in one query: the row count of every table and the audit
head. A refused request must leave it unchanged (STYLE §17, Healthchecks'
`refresh_from_db()`): a refusal test asserts what was stored, not only the status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session, sessionmaker

from puente.all_models import load_all_models
from puente.core.audit import AuditHead
from puente.core.db import SYSTEM_SCOPE, set_tenant_scope


@dataclass(frozen=True)
class Snapshot:
    counts: tuple[tuple[str, int], ...]
    audit_head: tuple[int, str] | None

    def changed_tables(self, other: Snapshot) -> list[str]:
        mine, theirs = dict(self.counts), dict(other.counts)
        return [name for name in mine if mine[name] != theirs.get(name)]


def snapshot(sessions: sessionmaker[Session]) -> Snapshot:
    """Counts seen through a fresh session on the test's connection, with the
    system scope so that row-level security hides nothing; rolled back after."""
    tables = load_all_models().metadata.sorted_tables
    assert len(tables) > 20  # every model is registered
    with sessions() as session:
        set_tenant_scope(session, SYSTEM_SCOPE)
        counts = session.execute(
            union_all(
                *(
                    select(literal(table.name), func.count()).select_from(table)
                    for table in tables
                )
            )
        ).all()
        head = session.execute(select(AuditHead.last_id, AuditHead.last_hash)).first()
        session.rollback()
    return Snapshot(
        counts=tuple(sorted((str(name), int(count)) for name, count in counts)),
        audit_head=(int(head[0]), str(head[1])) if head else None,
    )
