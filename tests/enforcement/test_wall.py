"""The wall in normal running: on PostgreSQL every enforcement request runs its
unit of work as the enforcement database role (row-level security still applies),
that role cannot read people, protection or pathways, and without the role the
application refuses enforcement with a 503 naming the role and the command that
an administrator runs (`puente enforcement grant-role`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from structlog.testing import capture_logs
from typer.testing import CliRunner

from puente.app import create_app
from puente.cli import app as cli_app
from puente.core.config import Settings
from puente.core.db import set_tenant_scope
from puente.enforcement import service
from puente.enforcement.models import Network
from puente.enforcement.service import wall
from puente.identity import rls_scope
from tests.conftest import PG_ADMIN_URL, PG_ROLE
from tests.pathways.helpers import actor

API = "/api/v1/enforcement"
WALLED = ("person", "protection_case", "pathway_screening", "audit_event")


def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("database roles are PostgreSQL's (SQLite: the import contract)")


def _spy(
    monkeypatch: pytest.MonkeyPatch, name: str, seen: list[tuple[str, int]]
) -> None:
    """Wrap a service function: inside the request's unit of work, note the
    database user and how many networks the database itself lets it count."""
    original = getattr(service, name)

    def spy(session: Session, **kwargs: Any) -> Any:
        who = str(session.execute(sa.text("SELECT current_user")).scalar())
        count = int(
            session.execute(
                sa.text("SELECT count(*) FROM enforcement_network")
            ).scalar_one()
        )
        seen.append((who, count))
        return original(session, **kwargs)

    monkeypatch.setattr(service, name, spy)


def _networks_of_two_states(session: Session) -> int:
    for username, name in (("investigator.col", "Red A"), ("investigator.pan", "B")):
        service.create_network(session, actor=actor(session, username), name=name)
    session.commit()
    return len(
        session.scalars(sa.select(Network).where(Network.tenant_code == "COL")).all()
    )


class TestEveryRequestRunsBehindTheWall:
    def test_api_and_web_requests_run_as_the_role_with_tenant_walls(
        self,
        session: Session,
        client: TestClient,
        backend: str,
        monkeypatch: pytest.MonkeyPatch,
        token_for: Callable[[str], str],
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        _postgres_only(backend)
        in_col = _networks_of_two_states(session)
        assert in_col >= 1
        total = session.scalar(sa.select(sa.func.count()).select_from(Network))
        assert total is not None
        assert total > in_col
        seen: list[tuple[str, int]] = []
        _spy(monkeypatch, "received_reports", seen)
        _spy(monkeypatch, "list_networks", seen)
        headers = {"Authorization": f"Bearer {token_for('investigator.col')}"}
        assert client.get(f"{API}/received", headers=headers).status_code == 200
        assert (
            login_as(client, "investigator.col").get("/enforcement").status_code == 200
        )
        # Row-level security still walls the role by tenant: PAN's network is
        # not even counted, though the query names no tenant.
        assert seen == [("puente_enforcement", in_col)] * 3
        # The request put the role back: the tests' own session is the app role.
        assert session.execute(sa.text("SELECT current_user")).scalar() == PG_ROLE

    def test_a_caseworker_is_refused_before_any_role_is_taken(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
        assert client.get(f"{API}/received", headers=headers).status_code == 403


class TestTheRoleCannotReadWalledTables:
    @pytest.fixture
    def walled_session(self, session: Session, backend: str) -> Iterator[Session]:
        _postgres_only(backend)
        investigator = actor(session, "investigator.col")
        set_tenant_scope(session, rls_scope(investigator))
        assert wall.ensure(session.connection(), "puente_enforcement").ok
        wall.enter(session, "puente_enforcement")
        yield session
        session.rollback()

    @pytest.mark.parametrize("table", WALLED)
    def test_reading_a_walled_table_is_permission_denied(
        self, walled_session: Session, table: str
    ) -> None:
        walled_session.execute(sa.text("SELECT count(*) FROM enforcement_network"))
        with pytest.raises(sa.exc.ProgrammingError) as refused:
            walled_session.execute(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
        assert "permission denied" in str(refused.value)

    def test_the_wall_check_finds_nothing_readable_behind_it(
        self, session: Session, backend: str
    ) -> None:
        _postgres_only(backend)
        found = wall.check(session.connection(), "puente_enforcement")
        assert found.ok, found.problems
        sql = wall.grant_statements(session.connection(), "puente_enforcement")
        assert 'REVOKE ALL ON "person" FROM puente_enforcement, PUBLIC' in sql
        assert 'REVOKE ALL ON "protection_case" FROM puente_enforcement, PUBLIC' in sql
        assert (
            'GRANT SELECT, INSERT, UPDATE, DELETE ON "enforcement_network" '
            "TO puente_enforcement" in sql
        )
        assert not any("pathway_" in s and s.startswith("GRANT") for s in sql)


def _admin_url_of(db_url: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + db_url.rsplit("/", 1)[1]


class TestWithoutTheRole:
    def test_refused_with_a_503_naming_the_role_until_the_admin_grants_it(
        self,
        session: Session,
        sessions: sessionmaker[Session],
        settings: Settings,
        db_url: str,
        backend: str,
        monkeypatch: pytest.MonkeyPatch,
        token_for: Callable[[str], str],
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        _postgres_only(backend)
        role = f"puente_enf_absent_{os.getpid()}"
        missing = settings.model_copy(update={"enforcement_db_role": role})
        token = token_for("investigator.col")
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "es"}
        with TestClient(create_app(missing, sessions)) as client:
            with capture_logs() as logs:
                refused = client.get(f"{API}/received", headers=headers)
            assert refused.status_code == 503
            body = refused.json()
            assert body["code"] == "enforcement_wall_missing"
            assert role in body["detail"]
            assert "puente enforcement grant-role --apply" in body["detail"]
            assert any(
                e["event"] == "enforcement_wall_unavailable" and e["role"] == role
                for e in logs
            )
            page = login_as(client, "investigator.col").get("/enforcement")
            assert page.status_code == 503
            assert role in page.text
        # The administrator runs the printed command against the same database.
        monkeypatch.setenv("PUENTE_ENFORCEMENT_DB_ROLE", role)
        from puente.core.config import get_settings

        get_settings.cache_clear()
        printed = CliRunner().invoke(cli_app, ["enforcement", "grant-role"])
        assert printed.exit_code == 0, printed.output
        assert f'GRANT {role} TO "{PG_ROLE}";' in printed.output
        applied = CliRunner().invoke(
            cli_app,
            [
                "enforcement",
                "grant-role",
                "--apply",
                "--database-url",
                _admin_url_of(db_url),
            ],
        )
        try:
            assert applied.exit_code == 0, applied.output
            assert f"{role}: ready" in applied.output
            seen: list[tuple[str, int]] = []
            _spy(monkeypatch, "received_reports", seen)
            with TestClient(create_app(missing, sessions)) as client:
                assert client.get(f"{API}/received", headers=headers).status_code == 200
            assert [who for who, _count in seen] == [role]
        finally:
            admin = sa.create_engine(
                _admin_url_of(db_url), isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as conn:
                conn.execute(sa.text(f"DROP OWNED BY {role}"))
                conn.execute(sa.text(f"DROP ROLE {role}"))
            admin.dispose()
            get_settings.cache_clear()


class TestTheCommandLine:
    def test_grant_role_on_sqlite_says_the_wall_is_the_import_contract(
        self, settings: Settings, backend: str
    ) -> None:
        if backend != "sqlite":
            pytest.skip("the SQLite answer")
        printed = CliRunner().invoke(cli_app, ["enforcement", "grant-role"])
        assert printed.exit_code == 0
        assert "import contract" in printed.output

    def test_request_log_runs_as_the_role(
        self,
        settings: Settings,
        backend: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        seen: list[str] = []
        original = service.request_log

        def spy(db: Session, **kwargs: Any) -> Any:
            who = "(no roles)"
            if backend == "postgresql":
                who = str(db.execute(sa.text("SELECT current_user")).scalar())
            seen.append(who)
            return original(db, **kwargs)

        monkeypatch.setattr(service, "request_log", spy)
        ran = CliRunner().invoke(
            cli_app, ["enforcement", "request-log", "investigator.col"]
        )
        assert ran.exit_code == 0, ran.output
        expected = "puente_enforcement" if backend == "postgresql" else "(no roles)"
        assert seen == [expected]
