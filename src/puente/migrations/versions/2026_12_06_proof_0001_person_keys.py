"""people: per-person data keys for crypto-shredding (ADR 0010)

Adds `person.erased_at` (the tombstone of an erased person) and re-encrypts, on
upgrade, every existing document number, contact detail and sensitive attribute
from a per-value key (layout 1) to its person's data key (layout 2), so that
erasing a person later makes every copy of those values unreadable. The person
keys live in the key store beside the tenant keys, never in this database.
Downgrade re-encrypts back to layout 1 (values of erased persons stay unreadable).

Revision ID: proof_0001
Revises: 0101_people_duplicates
Create Date: 2026-12-06 02:00:00.000000
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "proof_0001"
down_revision: str | None = "0101_people_duplicates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2000
_SEALED = (
    ("identity_document", "number", "number_encrypted"),
    ("contact_detail", "value", "value_encrypted"),
    ("sensitive_attribute", "value", "value_encrypted"),
)


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    _reseal(to_person=True)


def downgrade() -> None:
    _reseal(to_person=False)
    if op.get_bind().dialect.name == "sqlite":
        # Not a batch copy: recreating `person` would cascade-delete its children.
        op.execute("ALTER TABLE person DROP COLUMN erased_at")
    else:
        op.drop_column("person", "erased_at")


def _reseal(*, to_person: bool) -> None:
    """Rewrite every sealed people value in the wanted layout (empty DB: no-op)."""
    # Imported here: the key store is needed only when data exists.
    from puente.core import crypto

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Row-level security is forced on these tables; a migration is system work.
        bind.execute(sa.text("SELECT set_config('app.tenant_ids', '*', true)"))
    for table_name, column, data_column in _SEALED:
        table = sa.table(
            table_name,
            sa.column("id", sa.Uuid()),
            sa.column("tenant_code", sa.String()),
            sa.column("person_id", sa.Uuid()),
            sa.column(data_column, sa.LargeBinary()),
        )
        wanted = crypto.PERSON_VERSION if to_person else crypto.VERSION
        last = None
        while True:
            stmt = sa.select(table).order_by(table.c.id).limit(_BATCH)
            if last is not None:
                stmt = stmt.where(table.c.id > last)
            rows = bind.execute(stmt).all()
            if not rows:
                break
            last = rows[-1].id
            for row in rows:
                blob = bytes(getattr(row, data_column))
                if not blob or blob[0] == wanted:
                    continue
                new = _convert(row, table_name, column, blob, to_person)
                if new is None:
                    continue
                bind.execute(
                    sa.update(table)
                    .where(table.c.id == row.id)
                    .values({data_column: new})
                )


def _convert(
    row: sa.Row[tuple[object, ...]],
    table_name: str,
    column: str,
    blob: bytes,
    to_person: bool,
) -> bytes | None:
    from puente.core.crypto import (
        PersonKeyDestroyed,
        decrypt_for_person,
        encrypt_field,
        encrypt_for_person,
        get_person_keys,
    )

    store = get_person_keys()
    place = {
        "tenant": row.tenant_code,
        "table": table_name,
        "column": column,
        "row_id": str(row.id),
    }
    try:
        value = decrypt_for_person(store, blob=blob, **place)
    except PersonKeyDestroyed:
        return None
    seal: Callable[..., bytes] = encrypt_for_person if to_person else encrypt_field
    if to_person:
        return seal(store, person_id=row.person_id, value=value, **place)
    return seal(store.keys, value=value, **place)
