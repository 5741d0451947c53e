"""Many writers on the embedded SQLite node (issue 9 item 4): real HTTP on loopback,
50 clients editing one case. Never a 5xx, never a lost update; a writer that waits
too long gets 503 with Retry-After (nothing written), never `database is locked`."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from puente import people
from puente.core import audit
from puente.core import db as core_db
from puente.core.config import get_settings
from puente.core.errors import WriteQueueFull, is_lock_error
from puente.core.migrate import upgrade

CLIENTS = 50
_ENV = ("PUENTE_DATABASE_URL", "PUENTE_VAR_DIR", "PUENTE_KEY_DIR")


@dataclass
class Node:
    base: str
    token: str
    case_id: uuid.UUID
    url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A fresh embedded node (SQLite file) served by uvicorn in a thread."""
    from puente.app import create_app
    from puente.demo import load_identity
    from puente.identity import service as identity_service
    from puente.identity import system_actor
    from puente.identity.models import User
    from puente.protection import service as protection_service

    root = tmp_path_factory.mktemp("writes")
    saved = {k: os.environ.get(k) for k in _ENV}  # noqa: TID251 - test switch
    url = f"sqlite:///{root / 'node.db'}"
    os.environ["PUENTE_DATABASE_URL"] = url  # noqa: TID251
    os.environ["PUENTE_VAR_DIR"] = str(root / "var")  # noqa: TID251
    os.environ["PUENTE_KEY_DIR"] = str(root / "keys")  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()
    upgrade("heads", url)
    with core_db.uow() as session:
        load_identity(session)
    with core_db.uow() as session:
        user = session.scalars(
            select(User).where(User.username == "caseworker.col")
        ).one()
        actor = identity_service.actor_for(user)
        data = people.PersonCreate.model_validate(
            {
                "given_name": "Ana",
                "family_name": "Concurrent",
                "sex": "F",
                "birth_date": "1990-04-02",
                "nationality": "VEN",
            }
        )
        person = people.register_person(session, actor=actor, data=data)
        case = protection_service.open_case(session, actor=actor, person_id=person.id)
        case_id = case.id
        token = identity_service.issue_token(
            session, actor=system_actor(), username="caseworker.col"
        )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(), host="127.0.0.1", port=port, log_level="warning", workers=1
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield Node(f"http://127.0.0.1:{port}", token, case_id, url)
    server.should_exit = True
    thread.join(timeout=30)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)  # noqa: TID251
        else:
            os.environ[key] = value  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()


def _case_url(node: Node) -> str:
    return f"{node.base}/api/v1/protection/cases/{node.case_id}"


def _version(client: httpx.Client, node: Node) -> int:
    response = client.get(_case_url(node))
    assert response.status_code == 200, response.text
    return int(response.json()["version"])


@pytest.mark.slow
def test_fifty_clients_writing_one_case_no_5xx_no_lost_update(node: Node) -> None:
    headers = {"Authorization": f"Bearer {node.token}"}
    with httpx.Client(headers=headers, timeout=120) as probe:
        start_version = _version(probe, node)
    statuses: list[int] = []
    won: list[tuple[int, int]] = []  # (client, expected_version it wrote over)
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)
    errors: list[str] = []

    def client(i: int) -> None:
        try:
            with httpx.Client(headers=headers, timeout=120) as http:
                barrier.wait()
                for _attempt in range(500):
                    version = _version(http, node)
                    response = http.patch(
                        _case_url(node),
                        json={"expected_version": version, "summary": f"client {i}"},
                    )
                    with lock:
                        statuses.append(response.status_code)
                    if response.status_code == 200:
                        with lock:
                            won.append((i, version))
                        return
                    if response.status_code == 503:
                        time.sleep(float(response.headers["Retry-After"]))
                    elif response.status_code != 409:
                        return
                errors.append(f"client {i} never got its turn")
        except Exception as exc:
            errors.append(f"client {i}: {exc!r}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) <= {200, 409}
    assert len(won) == CLIENTS
    # No lost update: every success wrote over a different version, and the case
    # moved exactly once per success.
    assert sorted(v for _i, v in won) == list(
        range(start_version, start_version + CLIENTS)
    )
    with httpx.Client(headers=headers, timeout=60) as probe:
        assert _version(probe, node) == start_version + CLIENTS
    engine = core_db.make_engine(node.url)
    with core_db.uow(engine=engine) as session:
        updates = session.scalar(
            select(func.count(audit.AuditEvent.id)).where(
                audit.AuditEvent.action == "protection:case:update",
                audit.AuditEvent.object_id == str(node.case_id),
            )
        )
        assert updates == CLIENTS
        assert audit.verify_chain(session).ok
    engine.dispose()


@pytest.mark.slow
def test_a_writer_waiting_too_long_gets_503_and_nothing_is_written(node: Node) -> None:
    headers = {"Authorization": f"Bearer {node.token}"}
    gate = core_db.write_gate(
        f"sqlite:///{Path(node.url.split('///', 1)[1]).resolve()}"
    )
    with httpx.Client(headers=headers, timeout=60) as http:
        version = _version(http, node)
        saved = gate.wait_seconds
        gate.wait_seconds = 0.3
        gate.acquire()  # another writer holds the turn
        try:
            response = http.patch(
                _case_url(node), json={"expected_version": version, "summary": "x"}
            )
        finally:
            gate.release()
            gate.wait_seconds = saved
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["code"] == "write_queue_full"
        assert _version(http, node) == version


def test_the_gate_hands_over_in_arrival_order() -> None:
    gate = core_db.WriteGate(wait_seconds=10, max_waiting=100)
    gate.acquire()
    order: list[int] = []
    threads = []
    for i in range(8):

        def take(i: int = i) -> None:
            gate.acquire()
            order.append(i)
            gate.release()

        thread = threading.Thread(target=take)
        thread.start()
        threads.append(thread)
        while gate.waiting < i + 1:  # queued before the next one arrives
            time.sleep(0.001)
    gate.release()
    for thread in threads:
        thread.join()
    assert order == list(range(8))


def test_the_gate_refuses_after_the_wait_and_when_the_queue_is_full() -> None:
    gate = core_db.WriteGate(wait_seconds=0.05, max_waiting=1)
    gate.acquire()
    with pytest.raises(WriteQueueFull):
        gate.acquire()
    assert gate.waiting == 0
    refused: list[bool] = []

    def wait_in_line() -> None:
        try:
            gate.acquire()
        except WriteQueueFull:
            refused.append(True)

    blocker = threading.Thread(target=wait_in_line)
    gate.wait_seconds = 1
    blocker.start()
    while gate.waiting < 1:
        time.sleep(0.001)
    with pytest.raises(WriteQueueFull):  # one already waits: refused at once
        gate.acquire()
    blocker.join()
    assert refused == [True]
    gate.release()
    gate.acquire()  # free again
    gate.release()


def test_database_is_locked_answers_503_with_retry_after(settings: Any) -> None:
    from puente.app import create_app

    app = create_app()

    def locked() -> None:
        raise OperationalError("UPDATE x", {}, Exception("database is locked"))

    def broken() -> None:
        raise OperationalError("SELECT x", {}, Exception("no such table: x"))

    def pool_empty() -> None:
        raise PoolTimeout("QueuePool limit reached")

    app.add_api_route("/api/v1/test-pool", pool_empty)
    app.add_api_route("/api/v1/test-locked", locked)
    app.add_api_route("/api/v1/test-broken", broken)
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/api/v1/test-locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json()["code"] == "database_busy"
    assert "locked" not in response.text
    assert client.get("/api/v1/test-broken").status_code == 500
    assert client.get("/api/v1/test-pool").status_code == 503
    assert is_lock_error(OperationalError("x", {}, Exception("database is busy")))
    assert not is_lock_error(OperationalError("x", {}, Exception("disk I/O error")))


def test_sqlite_write_transactions_begin_immediate(tmp_path: Path) -> None:
    engine = core_db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    seen: list[str] = []
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(*args: Any) -> None:
        seen.append(str(args[2]))

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x int)"))
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    assert seen[0] == "BEGIN IMMEDIATE"
    engine.dispose()
