"""Walk every page a role reaches by links from the home page (GET only), in every
language, and look at what a person sees: no server error, no raw JSON page, and
no code in the visible text (snake_case enum values, UUIDs, ISO 3166 alpha-3
codes standing as words, JSON). Exports and machine formats that links point to
on purpose (CSV, CAP XML, Atom, the API) are not walked."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.core.i18n import LOCALES
from puente.demo import DEMO_USERS
from puente.reference import all_countries
from tests.conftest import CSRF
from tests.crawl import crawl
from tests.roles import demo_user, one_user_per_role

# Every role of the demo, and the employer's state's pathways officer, who reviews
# the employer's attestations: screens no other officer reaches.
ROLES = (*one_user_per_role(), demo_user("pathways_officer", "CAN"))
MAX_PAGES = 40  # per role: enough to reach every screen of the demo's shape
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
SNAKE = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@-])")
JSONISH = re.compile(r"\[\s*\"|\{\s*\"\w+\"\s*:")
ALPHA3 = frozenset(c.alpha3 for c in all_countries() if c.alpha3)
WORD3 = re.compile(r"(?<![\w-])[A-Z]{3}(?![\w-])")
# Upper-case words that are also country codes but are used as words here.
ACRONYMS = frozenset({"CAP", "IOM", "BID", "BIA", "GBV", "CSV", "ISO", "MFA"})


class _Page(HTMLParser):
    """Visible text and link targets of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "code", "details"):
            self._hidden += 1
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "code", "details") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def raw_codes(text: str) -> list[str]:
    found = UUID.findall(text) + SNAKE.findall(text)
    found += [w for w in WORD3.findall(text) if w in ALPHA3 and w not in ACRONYMS]
    found += [m.group(0) for m in JSONISH.finditer(text)]
    return found


def walk(client: TestClient) -> tuple[list[str], list[str]]:
    """Breadth-first from the home page; returns (pages seen, offences)."""
    offences: list[str] = []

    def visit(url: str) -> list[str]:
        response = client.get(url)
        if response.status_code >= 500:
            offences.append(f"{url}: {response.status_code}")
            return []
        kind = response.headers.get("content-type", "")
        if "json" in kind:
            offences.append(f"{url}: a JSON page")
            return []
        if "html" not in kind:
            return []
        parser = _Page()
        parser.feed(response.text)
        codes = raw_codes(" ".join(parser.text))
        if codes:
            offences.append(f"{url}: {sorted(set(codes))[:5]}")
        return parser.links

    return crawl(visit, max_pages=MAX_PAGES), offences


@pytest.fixture
def some_work(
    client: TestClient, login_as: Callable[[TestClient, str], TestClient]
) -> None:
    """A registered person with an open case, so that their pages exist."""
    login_as(client, "caseworker.col")
    person = client.post(
        "/people",
        data={
            **CSRF,
            "given_name": "Walker",
            "family_name": "Camino",
            "sex": "F",
            "birth_date": "2012-03-02",
            "nationality": "VEN",
            "document_type": "passport",
            "document_number": "P-1",
            "point_kind": "border_post",
            "place": "Rumichaca",
        },
        follow_redirects=False,
    )
    assert person.status_code == 303, person.text
    person_id = person.headers["location"].split("?")[0].rsplit("/", 1)[1]
    case = client.post("/protection/cases", data={**CSRF, "person_id": person_id})
    assert case.status_code == 200
    client.cookies.clear()


def test_raw_codes_are_recognised() -> None:
    assert raw_codes("Flags: separated_child") == ["separated_child"]
    assert raw_codes("Nationality: VEN") == ["VEN"]
    assert raw_codes('Answers ["USA", "CAN"]')
    assert raw_codes("Case 1f0e2b5c-3a4d-4e6f-8a9b-0c1d2e3f4a5b")
    assert raw_codes("Venezuela · Separated child · CAP 1.2 · 40 h") == []


def test_the_walked_users_hold_every_demo_role() -> None:
    held = {role for d in DEMO_USERS if d.username in ROLES for role in d.roles}
    assert held == {role for d in DEMO_USERS for role in d.roles}
    assert len(set(ROLES)) == len(ROLES)
    assert "auditor.hub" in ROLES  # the hub's user where the hub has one


def test_the_crawler_goes_breadth_first_and_skips_what_is_no_screen() -> None:
    a = "/cases/11111111-1111-1111-1111-111111111111"
    b = "/cases/22222222-2222-2222-2222-222222222222"
    site = {
        "/": ["/people", "/api/v1/people", "/people?sort=name", "//x.org/", "/x.csv"],
        "/people": [a + "#top", b, "/logout", "https://x.org/"],
        a: ["/"],
        b: ["/deep"],
        "/deep": [],
    }

    def visit(url: str) -> list[str]:
        return site[url]

    assert crawl(visit, max_pages=10) == ["/", "/people", a, b, "/deep"]
    assert crawl(visit, max_pages=10, one_per_shape=True) == ["/", "/people", a]
    assert crawl(visit, max_pages=2) == ["/", "/people"]


@pytest.mark.slow
@pytest.mark.parametrize("username", ROLES)
def test_every_page_by_links_in_every_language(
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
    session: Session,
    some_work: None,
    username: str,
) -> None:
    login_as(client, username)
    problems: list[str] = []
    for locale in LOCALES:
        client.cookies.set("puente_lang", locale)
        pages, offences = walk(client)
        assert len(pages) > 1, f"{username}: the home page links nowhere"
        problems += [f"[{locale}] {o}" for o in offences]
    print("\n".join(problems))  # noqa: T201 - the list, when it fails
    assert problems == []
