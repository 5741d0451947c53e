"""keyed audit chain and signed checkpoints (ADR 0009)

Re-keys the existing chain: the old unkeyed SHA-256 chain is verified first (a
broken chain is never laundered into a keyed one: the upgrade stops naming the
first bad event), then every row's tag is recomputed as HMAC-SHA256 under the key in
`<key_dir>/audit-chain.key`, the head gets its MAC and a first checkpoint is signed.
SQLite gets the append-only triggers PostgreSQL already had; the checkpoint table is
append-only on both.

Revision ID: secstore_0001
Revises: 0001
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

import puente.core.db
from puente.core import audit
from puente.core.rls import allow_update_delete, forbid_update_delete

revision: str = "secstore_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _system_scope() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT set_config('app.tenant_ids', '*', true)"))


def _rechain(
    old: Callable[[audit.AuditEvent], str], new: Callable[[audit.AuditEvent], str]
) -> tuple[int, str]:
    """Verify the chain under `old`, then rewrite every tag under `new`."""
    bind = op.get_bind()
    session = Session(bind=bind)
    prev_old = prev_new = audit.GENESIS
    updates = []
    count = 0
    for item in audit.iter_events(session):
        if isinstance(item, tuple) or item.id != count + 1:
            bad = item[0] if isinstance(item, tuple) else count + 1
            raise RuntimeError(f"audit chain broken at event {bad}: not re-keyed")
        if item.prev_hash != prev_old or old(item) != item.hash:
            raise RuntimeError(f"audit chain broken at event {item.id}: not re-keyed")
        prev_old = item.hash
        item.prev_hash = prev_new
        prev_new = new(item)
        updates.append({"i": item.id, "p": item.prev_hash, "h": prev_new})
        count += 1
    if updates:
        bind.execute(
            sa.text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :i"),
            updates,
        )
    session.close()
    return count, prev_new


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    with op.batch_alter_table("audit_checkpoint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_checkpoint_last_id"), ["last_id"], unique=False
        )
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))

    _system_scope()
    keys = audit.get_audit_keys()
    allow_update_delete("audit_event")
    count, last = _rechain(
        audit.unkeyed_digest, lambda e: audit.keyed_digest(e, keys.mac_key)
    )
    forbid_update_delete("audit_event", sqlite=True)
    forbid_update_delete("audit_checkpoint", sqlite=True)
    if count:
        op.get_bind().execute(
            sa.text("UPDATE audit_head SET last_hash = :h, mac = :m WHERE id = 1"),
            {"h": last, "m": audit.head_mac(keys.mac_key, count, last)},
        )
        made = audit.sign_checkpoint(keys, count, last)
        op.get_bind().execute(
            sa.insert(audit.AuditCheckpoint).values(
                created_at=made.created_at,
                last_id=made.last_id,
                last_hash=made.last_hash,
                key_id=made.key_id,
                signature=made.signature,
            )
        )


def downgrade() -> None:
    _system_scope()
    keys = audit.get_audit_keys()
    allow_update_delete("audit_checkpoint", sqlite=True)
    allow_update_delete("audit_event", sqlite=True)
    count, last = _rechain(
        lambda e: audit.keyed_digest(e, keys.mac_key), audit.unkeyed_digest
    )
    forbid_update_delete("audit_event")
    if count:
        op.get_bind().execute(
            sa.text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": last}
        )
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("mac")
    with op.batch_alter_table("audit_checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoint_last_id"))
    op.drop_table("audit_checkpoint")
