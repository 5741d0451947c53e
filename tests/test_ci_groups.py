"""How `make test` spreads the suite over two workers (tests/conftest.py)."""

from __future__ import annotations

from typing import Any

from tests.conftest import heavy_first, server_group


def test_tests_sharing_a_server_share_a_group() -> None:
    assert server_group("tests/browser/test_shell.py::test_a") == "browser"
    assert server_group("tests/browser/test_roles.py::test_b[x]") == "browser"
    # Modules that start servers of their own are a group each.
    own = "tests/browser/test_protection.py"
    assert server_group(f"{own}::test_c") == own
    federation = "tests/exchange/test_federation.py"
    assert server_group(f"{federation}::TestDelivery::test_d") == federation
    assert server_group("tests/exchange/test_rules.py::TestTerms::test_e") is None
    assert server_group("tests/test_walk.py::test_f[sqlite-admin]") is None


class _Callspec:
    def __init__(self, backend: str) -> None:
        self.params = {"db_url": backend}


class _Item:
    def __init__(self, nodeid: str, backend: str | None, slow: bool = False) -> None:
        self.nodeid = nodeid
        self.backend = backend
        self.callspec = _Callspec(backend) if backend else None
        self.slow = slow

    def get_closest_marker(self, name: str) -> Any:
        return name if name == "slow" and self.slow else None


def test_modules_with_a_slow_test_go_first_within_each_backend() -> None:
    items = [
        _Item("tests/a.py::t1", "sqlite"),
        _Item("tests/b.py::t1", "sqlite"),
        _Item("tests/b.py::t2", "sqlite", slow=True),
        _Item("tests/a.py::t1", "postgresql"),
        _Item("tests/u.py::t1", None),
        _Item("tests/b.py::t1", "postgresql"),
        _Item("tests/b.py::t2", "postgresql", slow=True),
    ]
    order = [(i.nodeid, i.backend) for i in heavy_first(items)]
    assert order == [
        ("tests/b.py::t1", "sqlite"),
        ("tests/b.py::t2", "sqlite"),
        ("tests/a.py::t1", "sqlite"),
        ("tests/b.py::t1", "postgresql"),
        ("tests/b.py::t2", "postgresql"),
        ("tests/a.py::t1", "postgresql"),
        ("tests/u.py::t1", None),
    ]
