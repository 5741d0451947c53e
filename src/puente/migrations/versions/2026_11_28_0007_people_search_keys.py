"""people: search keys carry the full birth date; covering probe index

Search before create must answer in under 100 ms at a million people (issue 4).
The probe index (tenant_code, key, birth_year, birth_month, birth_day) INCLUDE
(person_id) lets candidate selection run as an index-only scan, and rank by
birth-date agreement before any person row is read. New key kinds (surname pair,
single given name, initials) are written by the application; existing persons
are re-keyed here so that search finds them with the new probes.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-28 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("person_search_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_month", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("birth_day", sa.SmallInteger(), nullable=True))
        batch_op.drop_index("ix_person_search_key_lookup")
        batch_op.create_index(
            "ix_person_search_key_probe",
            ["tenant_code", "key", "birth_year", "birth_month", "birth_day"],
            unique=False,
            postgresql_include=["person_id"],
        )
    _rekey_people()


def _rekey_people() -> None:
    """Rewrite every person's keys with today's key function (empty in a new DB)."""
    # Imported here: the migration needs the key function only when data exists.
    from puente.people.repository import blocking_keys

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Row-level security is forced on these tables; a migration is system work.
        bind.execute(sa.text("SELECT set_config('app.tenant_ids', '*', true)"))
    person = sa.table(
        "person",
        sa.column("id", sa.Uuid()),
        sa.column("tenant_code", sa.String()),
        sa.column("given_name", sa.String()),
        sa.column("family_name", sa.String()),
        sa.column("birth_year", sa.SmallInteger()),
        sa.column("birth_month", sa.SmallInteger()),
        sa.column("birth_day", sa.SmallInteger()),
    )
    keys = sa.table(
        "person_search_key",
        sa.column("person_id", sa.Uuid()),
        sa.column("key", sa.String()),
        sa.column("tenant_code", sa.String()),
        sa.column("birth_year", sa.SmallInteger()),
        sa.column("birth_month", sa.SmallInteger()),
        sa.column("birth_day", sa.SmallInteger()),
    )
    if bind.execute(sa.select(person.c.id).limit(1)).first() is None:
        return
    bind.execute(sa.delete(keys))
    last = None
    while True:
        stmt = sa.select(person).order_by(person.c.id).limit(_BATCH)
        if last is not None:
            stmt = stmt.where(person.c.id > last)
        rows = bind.execute(stmt).all()
        if not rows:
            return
        bind.execute(
            sa.insert(keys),
            [
                {
                    "person_id": row.id,
                    "key": key,
                    "tenant_code": row.tenant_code,
                    "birth_year": row.birth_year,
                    "birth_month": row.birth_month,
                    "birth_day": row.birth_day,
                }
                for row in rows
                for key in blocking_keys(row.given_name, row.family_name)
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    # Keys of the kinds 0004 did not know contain ":"; its two kinds stay valid.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT set_config('app.tenant_ids', '*', true)")
    op.execute("DELETE FROM person_search_key WHERE key LIKE '%:%'")
    with op.batch_alter_table("person_search_key", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_person_search_key_probe", postgresql_include=["person_id"]
        )
        batch_op.create_index(
            "ix_person_search_key_lookup",
            ["tenant_code", "key", "birth_year"],
            unique=False,
        )
        batch_op.drop_column("birth_day")
        batch_op.drop_column("birth_month")
