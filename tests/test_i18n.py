"""Every shell string is translated in es, pt, fr and ht; the template is fresh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from puente.core import i18n

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_catalogs_are_complete_and_the_template_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/i18n.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("header", "expected_lang", "title"),
    [
        ("es", "es", "Iniciar sesión"),
        ("pt-BR,pt;q=0.9", "pt", "Entrar"),
        ("fr-CA", "fr", "Se connecter"),
        ("ht", "ht", "Konekte"),
        ("de-DE", "en", "Log in"),
    ],
)
def test_login_page_follows_accept_language(
    client: TestClient, header: str, expected_lang: str, title: str
) -> None:
    response = client.get("/login", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert f'<html lang="{expected_lang}"' in response.text
    assert f'<h1 id="login-title">{title}</h1>' in response.text
    assert response.headers["content-language"] == expected_lang


def test_cookie_choice_beats_the_header(client: TestClient) -> None:
    client.cookies.set("puente_lang", "fr")
    response = client.get("/login", headers={"Accept-Language": "es"})
    assert '<html lang="fr"' in response.text


def test_negotiate_orders_by_quality() -> None:
    assert i18n.negotiate("en;q=0.5, pt;q=0.9", None, "en") == "pt"
    assert i18n.negotiate(None, None, "es") == "es"
    assert i18n.negotiate("xx", "zz", "en") == "en"


def test_errors_are_translated() -> None:
    from puente.identity.errors import InvalidCredentials

    with i18n.use_locale("ht"):
        assert (
            InvalidCredentials().translated() == "Non itilizatè oswa modpas la pa bon."
        )


def test_plural_messages_render_in_every_language() -> None:
    for lang in ("es", "pt", "fr", "ht"):
        with i18n.use_locale(lang):
            text = i18n.ngettext("%(num)d case", "%(num)d cases", 3)
        assert "3" in text
        assert "%" not in text
