"""Test fixtures: one database per backend and xdist worker, built from migrations;
each test runs in a transaction that is rolled back (savepoints inside).

Backends: SQLite always; PostgreSQL when PUENTE_TEST_POSTGRES=1 (`.ci/run` sets it).
On PostgreSQL the tests connect as `puente_app`, a role without SUPERUSER or
BYPASSRLS, so row-level security applies to every query they make.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from puente.app import create_app
from puente.core import db as core_db
from puente.core.config import Settings, get_settings
from puente.core.migrate import upgrade
from puente.identity import service as identity_service
from puente.identity.models import User
from puente.web.templating import CSRF_COOKIE

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_ROLE = "puente_app"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--browser", action="store_true", help="run Playwright tests")


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PUENTE_TEST_BROWSER") == "1":  # noqa: TID251 - test switch
        config.option.browser = True
    config.pluginmanager.register(HeavyFirst(), "puente-heavy-first")


def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    skip_browser = pytest.mark.skip(reason="browser tests need --browser")
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in item.keywords and not config.getoption("--browser"):
            item.add_marker(skip_browser)
        if fixtures & {"session", "engine", "client", "db_url"}:
            item.add_marker(pytest.mark.db)
        elif "browser" not in item.keywords:
            item.add_marker(pytest.mark.unit)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test` runs `-n 2 --dist loadgroup`: each test goes to the next free
    worker, except that tests sharing an expensive server run on one worker (see
    `server_group`). xdist's own `xdist_group` marks are not seen under pytest 9
    (it renames `item._nodeid`, which pytest 9 no longer reads), so the groups
    are given to the scheduler here."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]

    class ServerGroups(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return server_group(nodeid) or nodeid

    return ServerGroups(config, log)


def server_group(nodeid: str) -> str | None:
    """The group of a test that shares a server: a module that starts servers of
    its own (loopback federation nodes, a live server) is one group, started
    once; the other browser tests share the demo-loaded live server and
    Chromium (started once, not once per worker)."""
    path = nodeid.split("::")[0]
    if _starts_own_servers(path):
        return path
    if path.startswith("tests/browser/"):
        return "browser"
    return None


@functools.cache
def _starts_own_servers(path: str) -> bool:
    source = Path(__file__).parent.parent / path
    if not source.is_file():
        return False
    text = source.read_text("utf-8")
    return "federation_up(" in text or "def live_server(" in text


def _file(item: Any) -> str:
    return str(item.nodeid.split("::")[0])


class HeavyFirst:
    """Runs the modules that hold a `slow` test first within each backend's run of
    tests, after pytest has grouped the tests by backend (one suite database per
    backend and worker, so the grouping stays). Under xdist the long tests then
    start early and the run ends on short ones, which both workers share, instead
    of one worker finishing a long test alone."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        items[:] = heavy_first(items)


def heavy_first(items: list[Any]) -> list[Any]:
    def backend(item: Any) -> str | None:
        callspec = getattr(item, "callspec", None)
        return callspec.params.get("db_url") if callspec else None

    blocks: list[list[Any]] = [[]]
    current: str | None = None
    for item in items:
        kind = backend(item)
        if kind is not None and current is not None and kind != current:
            blocks.append([])
        current = kind or current
        blocks[-1].append(item)
    ordered: list[Any] = []
    for block in blocks:
        heavy = {_file(i) for i in block if i.get_closest_marker("slow")}
        ordered += [i for i in block if _file(i) in heavy]
        ordered += [i for i in block if _file(i) not in heavy]
    return ordered


def backends() -> list[str]:
    enabled = ["sqlite"]
    if os.environ.get("PUENTE_TEST_POSTGRES") == "1":  # noqa: TID251 - test switch
        enabled.append("postgresql")
    return enabled


def _worker() -> str:
    # Unique per run, so that concurrent runs on one machine never share a database.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: TID251
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))  # noqa: TID251
    return f"{worker}_{run[:8]}"


def drop_pg_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def create_pg_database(name: str) -> str:
    """A fresh database owned by the unprivileged app role; returns its URL."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": PG_ROLE}
        ).first()
        if not exists:
            conn.execute(text(f"CREATE ROLE {PG_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
        _enforcement_role(conn)
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER {PG_ROLE}'))
    admin.dispose()
    return f"postgresql+psycopg://{PG_ROLE}@127.0.0.1:5432/{name}"


PG_ENFORCEMENT_ROLE = "puente_enforcement"


def _enforcement_role(conn: Any) -> None:
    """The app role may not create roles: the administrator makes the enforcement
    role and lets the app role take it, as a deployment does (`puente enforcement
    grant-role`); the migrations, run as the app role that owns the tables, then
    grant it its tables. Roles are cluster-wide: another run may make it first."""
    conn.execute(
        text(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            f"'{PG_ENFORCEMENT_ROLE}') THEN CREATE ROLE {PG_ENFORCEMENT_ROLE} "
            "NOLOGIN; END IF; EXCEPTION WHEN duplicate_object OR unique_violation "
            "THEN NULL; END $$"
        )
    )
    conn.execute(text(f"GRANT {PG_ENFORCEMENT_ROLE} TO {PG_ROLE}"))


def fresh_database_url(backend: str, tmp_dir: Path, label: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / f'{label}.db'}"
    return create_pg_database(f"puente_test_{label}_{_worker()}")


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session", params=backends())
def db_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    key_dir: Path,
) -> str:
    """A database of this backend, migrated to head and seeded with the demo
    tenants, organisations and users (committed once per session)."""
    backend: str = request.param
    url = fresh_database_url(backend, tmp_path_factory.mktemp(backend), "suite")
    if backend == "postgresql":
        name = url.rsplit("/", 1)[1]
        request.addfinalizer(lambda: drop_pg_database(name))  # noqa: PT021 - returns the URL
    settings = _settings(url, key_dir)
    _use_settings(settings)
    upgrade("heads", url)
    engine = core_db.make_engine(url)
    with core_db.uow(engine=engine) as session:
        from puente.demo import load_identity

        load_identity(session)
    engine.dispose()
    return url


def _settings(url: str, key_dir: Path, **extra: Any) -> Settings:
    return Settings(
        database_url=url,
        key_dir=key_dir,
        env="test",
        _env_file=None,
        warm_routes=False,  # each test builds an app: it prepares what it uses
        **extra,
    )


def _use_settings(settings: Settings) -> None:
    get_settings.cache_clear()
    core_db.dispose_engines()
    os.environ["PUENTE_DATABASE_URL"] = settings.database_url  # noqa: TID251
    os.environ["PUENTE_KEY_DIR"] = str(settings.key_dir)  # noqa: TID251
    os.environ["PUENTE_ENV"] = "test"  # noqa: TID251


@pytest.fixture
def var_dir(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A var directory of the test's own (flow store, caches), set before the
    settings are read again."""
    monkeypatch.setenv("PUENTE_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


@pytest.fixture
def settings(db_url: str, key_dir: Path) -> Iterator[Settings]:
    _use_settings(_settings(db_url, key_dir))
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = core_db.make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine, settings: Settings) -> Iterator[sessionmaker[Session]]:
    """A session factory whose every session lives inside one rolled-back
    transaction (commits only release savepoints).

    On SQLite that transaction holds this process's write turn for the whole
    test, so a unit of work opened beside it (an after-commit handler's own
    `uow()`) can never have it: it gives up after a second instead of the
    twenty a node waits for a writer that will finish."""
    connection = engine.connect()
    outer = connection.begin()
    gate = core_db.held_gate(connection)
    saved_wait = gate.wait_seconds if gate is not None else 0.0
    if gate is not None:
        gate.wait_seconds = 1.0
    factory = sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    yield factory
    if gate is not None:
        gate.wait_seconds = saved_wait
    outer.rollback()
    connection.close()


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    db_session = sessions()
    core_db.set_tenant_scope(db_session, core_db.SYSTEM_SCOPE)
    yield db_session
    db_session.close()


@pytest.fixture
def backend(db_url: str) -> str:
    return "postgresql" if db_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def app(sessions: sessionmaker[Session], settings: Settings) -> Any:
    return create_app(settings, sessions)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def token_for(session: Session) -> Callable[[str], str]:
    """Issue a bearer token for a demo user."""
    from puente.identity import system_actor

    def issue(username: str) -> str:
        token = identity_service.issue_token(
            session, actor=system_actor(), username=username
        )
        session.commit()
        return token

    return issue


@pytest.fixture
def login_as(session: Session) -> Callable[[TestClient, str], TestClient]:
    """Give `client` a live session of `username` that has passed MFA."""

    def login(test_client: TestClient, username: str) -> TestClient:
        user = session.scalars(select(User).where(User.username == username)).one()
        started = identity_service.start_session(session, user)
        started.record.mfa_passed = True
        # The session's CSRF token (drawn at random in use) is the tests' known one.
        started.record.csrf_token = "test-csrf-token"
        session.commit()
        test_client.cookies.set("puente_session", started.token)
        test_client.cookies.set(CSRF_COOKIE, "test-csrf-token")
        return test_client

    return login


CSRF = {"csrf_token": "test-csrf-token"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
