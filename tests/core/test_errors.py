"""core.errors: stable codes, one family table for HTTP statuses and exit codes,
and a `detail` that follows the current locale."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

import puente.app  # noqa: F401 - imports every module, so every error class exists
from puente.core import i18n
from puente.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    error_body,
    exit_code_for,
    snake_case,
    status_for,
)


class ConsentMissing(Conflict):
    message = "Consent is missing for %(purpose)s."


class CAPMessageInvalid(InvalidInput):
    pass


class RenamedError(NotFound):
    code = "old_name_kept"


class ChildOfRenamed(RenamedError):
    pass


def _all_error_classes() -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    stack = list(DomainError.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


class TestCodes:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("ConsentMissing", "consent_missing"),
            ("CAPMessageInvalid", "cap_message_invalid"),
            ("InvalidTotp", "invalid_totp"),
            ("NotFound", "not_found"),
            ("Error2Found", "error2_found"),
        ],
    )
    def test_snake_case(self, name: str, expected: str) -> None:
        assert snake_case(name) == expected

    def test_a_code_is_derived_from_the_class_name(self) -> None:
        assert ConsentMissing.code == "consent_missing"
        assert ConsentMissing(purpose="x").code == "consent_missing"
        assert CAPMessageInvalid.code == "cap_message_invalid"

    def test_a_class_may_keep_its_own_code_and_its_children_get_theirs(self) -> None:
        assert RenamedError.code == "old_name_kept"
        assert ChildOfRenamed.code == "child_of_renamed"

    def test_every_shipped_error_has_a_snake_case_code(self) -> None:
        classes = [c for c in _all_error_classes() if c.__module__.startswith("puente")]
        assert len(classes) > 50
        bad = [c for c in classes if not re.fullmatch(r"[a-z][a-z0-9_]*", c.code)]
        assert bad == []

    def test_classes_that_share_a_code_share_a_status(self) -> None:
        """A client that branches on `code` must never see it mean two statuses."""
        statuses: dict[str, set[int]] = defaultdict(set)
        for cls in _all_error_classes():
            if cls.__module__.startswith("puente"):
                statuses[cls.code].add(status_for(cls.__new__(cls)))
        assert {code: s for code, s in statuses.items() if len(s) > 1} == {}


class TestFamilies:
    @pytest.mark.parametrize(
        ("error", "status", "exit_code"),
        [
            (NotFound(), 404, 4),
            (PermissionDenied(), 403, 3),
            (Unauthenticated(), 401, 3),
            (Conflict(), 409, 5),
            (InvalidInput(), 422, 2),
            (ConsentMissing(purpose="x"), 409, 5),
            (ChildOfRenamed(), 404, 4),
            (DomainError(), 400, 1),
        ],
    )
    def test_status_and_exit_code(
        self, error: DomainError, status: int, exit_code: int
    ) -> None:
        assert status_for(error) == status
        assert exit_code_for(error) == exit_code


class TestDetail:
    def test_detail_follows_the_current_locale(self) -> None:
        error = NotFound()
        assert error.detail == "Not found."
        with i18n.use_locale("es"):
            assert error.detail == "No encontrado."
        with i18n.use_locale("fr"):
            assert error.detail == "Introuvable."
        assert str(error) == "Not found."  # logs and the CLI stay in English

    def test_body_has_error_code_and_detail(self) -> None:
        body = error_body(ConsentMissing(purpose="referral"))
        assert body == {
            "error": "ConsentMissing",
            "code": "consent_missing",
            "detail": "Consent is missing for referral.",
        }
