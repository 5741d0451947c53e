"""Database: typed declarative base, engines, the unit of work and tenant scope.

Tenant scope is the second wall: on PostgreSQL every transaction carries
`app.tenant_ids` (a comma list, or `*` for system jobs) which the row-level security
policies read. The first wall is the application filter in `identity.visibility`.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import (
    DateTime,
    Engine,
    MetaData,
    String,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    sessionmaker,
)

from puente.core.config import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SYSTEM_SCOPE = "*"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, _dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, _dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


class TenantMixin:
    """Rows owned by a tenant (a state or the hub). RLS policies key on this column."""

    tenant_code: Mapped[str] = mapped_column(String(3), index=True)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions: pysqlite's own BEGIN handling breaks savepoints
    # (a RELEASE would commit), so it is switched off here and BEGIN emitted below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # What is deleted or overwritten (an erased person's names, search keys) is
    # zeroed in the file, not left in free space for anyone who reads it raw.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class WriteGate:
    """Writers to one embedded SQLite file, in arrival order (FIFO hand-off).

    SQLite has one write lock; every transaction takes it up front (BEGIN
    IMMEDIATE) and SQLite's own busy handler polls, so under load some writers
    starve past the busy timeout and fail `database is locked`. The gate queues
    this process's transactions fairly instead; one that waited `wait_seconds`, or
    arrives when `max_waiting` already wait, gets `WriteQueueFull` (503 with
    Retry-After; nothing was written). Other processes still meet SQLite's busy
    timeout, whose error the app maps to 503 as well.
    """

    def __init__(self, wait_seconds: float, max_waiting: int) -> None:
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self._lock = threading.Lock()
        self._held = False
        self._waiters: collections.deque[threading.Event] = collections.deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def acquire(self) -> None:
        from puente.core.errors import WriteQueueFull

        with self._lock:
            if not self._held and not self._waiters:
                self._held = True
                return
            if len(self._waiters) >= self.max_waiting:
                raise WriteQueueFull()
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(self.wait_seconds):
            return
        with self._lock:
            if turn.is_set():  # handed over just as the wait ran out
                return
            self._waiters.remove(turn)
        raise WriteQueueFull()

    def release(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set()  # stays held: handed to the next
            else:
                self._held = False


_GATE_KEY = "puente_write_gate"
_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


def write_gate(url: str) -> WriteGate:
    """The one gate of the SQLite file behind `url` (shared by its engines)."""
    settings = get_settings()
    with _gates_lock:
        if url not in _gates:
            _gates[url] = WriteGate(
                settings.sqlite_write_wait_seconds, settings.sqlite_max_waiting_writers
            )
        return _gates[url]


def _gate_begin(gate: WriteGate) -> Any:
    def begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that
        # reads and then writes fails at once (SQLITE_BUSY, no retry) when another
        # writer committed in between. Readers are never blocked in WAL mode.
        gate.acquire()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            gate.release()
            raise
        connection.info[_GATE_KEY] = gate

    return begin


def held_gate(connection: Any) -> WriteGate | None:
    """The write gate `connection`'s open transaction holds, if any."""
    gate = connection.info.get(_GATE_KEY)
    return gate if isinstance(gate, WriteGate) else None


def _gate_end(connection: Any, *_args: Any) -> None:
    gate = connection.info.pop(_GATE_KEY, None)
    if gate is not None:
        gate.release()


def _gate_checkin(_dbapi_connection: Any, record: Any) -> None:
    # A connection returned without commit/rollback events (closed mid-way).
    gate = record.info.pop(_GATE_KEY, None)
    if gate is not None:
        gate.release()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and the
    process's write gate (`WriteGate`)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
            url_key = f"sqlite:///{Path(path).resolve()}"
        else:
            url_key = url
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _gate_begin(write_gate(url_key)))
        event.listen(engine, "commit", _gate_end)
        event.listen(engine, "rollback", _gate_end)
        event.listen(engine.pool, "checkin", _gate_checkin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


_engines: dict[str, Engine] = {}


def get_engine(settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    url = settings.database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@dataclass(frozen=True)
class RlsScope:
    """What row-level security lets one unit of work touch.

    `tenants`: a comma list of tenant codes, or `*` for system jobs. `region_read` /
    `region_write` open the *shared* tables (aggregates, catalogues, alerts) of every
    tenant for reading / writing; person-level tables never look at them.
    """

    tenants: str
    region_read: bool = False
    region_write: bool = False

    def settings(self) -> dict[str, str]:
        return {
            "app.tenant_ids": self.tenants,
            "app.region_read": "on" if self.region_read else "off",
            "app.region_write": "on" if self.region_write else "off",
        }


def _as_scope(value: RlsScope | Sequence[str] | str) -> RlsScope:
    if isinstance(value, RlsScope):
        return value
    # `*` already passes every tenant policy, so system jobs need no region flags.
    return RlsScope(value if isinstance(value, str) else ",".join(value))


def set_tenant_scope(session: Session, scope: RlsScope | Sequence[str] | str) -> None:
    """Bind what this unit of work may touch (RLS on PostgreSQL).

    `SYSTEM_SCOPE` is for system jobs (migrations, demo load, audit verify).
    """
    resolved = _as_scope(scope)
    session.info["tenant_scope"] = resolved
    _apply_scope(session.get_bind(), session, resolved)


def _apply_scope(bind: Any, runner: Any, scope: RlsScope) -> None:
    if bind.dialect.name != "postgresql":
        return
    for name, value in scope.settings().items():
        runner.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})


def set_db_role(session: Session, role: str) -> None:
    """Run the rest of this unit of work as the database role `role`
    (PostgreSQL `SET LOCAL ROLE`; nothing on SQLite, which has no roles).

    Tenant scope still applies: the RLS policies read transaction settings, not
    the role. The role lasts to the end of the unit of work: it is set again on
    every transaction the session begins, and put back (after a flush) just
    before a commit, so that a connection shared by savepoints (the tests) never
    keeps it. `role` comes from configuration, checked to be a plain identifier.
    """
    if not _IDENTIFIER.fullmatch(role):
        raise ValueError("not a plain database role name")
    session.info["db_role"] = role
    _apply_role(session.get_bind(), session, role)


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _apply_role(bind: Any, runner: Any, role: str) -> None:
    if bind.dialect.name != "postgresql":
        return
    runner.execute(text(f"SET LOCAL ROLE {role}"))


@event.listens_for(Session, "after_begin")
def _reapply_scope(session: Session, _transaction: Any, connection: Any) -> None:
    scope = session.info.get("tenant_scope")
    if scope is not None:
        _apply_scope(connection, connection, _as_scope(scope))
    role = session.info.get("db_role")
    if role is not None:
        _apply_role(connection, connection, role)


@event.listens_for(Session, "before_commit")
def _put_role_back(session: Session) -> None:
    if session.info.get("db_role") is None:
        return
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    session.flush()  # every pending write goes in under the role
    session.execute(text("RESET ROLE"))


@contextmanager
def uow(
    scope: RlsScope | Sequence[str] | str = SYSTEM_SCOPE, engine: Engine | None = None
) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on error."""
    session = session_factory(engine)()
    session.info["tenant_scope"] = _as_scope(scope)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
