"""Must show: the IATI export of the demo validates against the IATI 2.03 schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy.orm import Session

from puente.financing import service
from puente.identity import Role, system_actor
from tests.financing.conftest import role_actor

SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "src/puente/financing/data/iati-schema/iati-activities-schema.xsd"
)
SHARED_SCHEMA = Path("/work/shared/data/iati-schema/iati-activities-schema.xsd")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def _kind(transaction: ET.Element) -> str | None:
    found = transaction.find("transaction-type")
    return found.get("code") if found is not None else None


def test_the_vendored_schema_is_the_shared_one() -> None:
    if not SHARED_SCHEMA.exists():
        pytest.skip("the shared data folder is not mounted")
    assert SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_the_demo_export_validates(
    demo_session: Session, schema: xmlschema.XMLSchema
) -> None:
    document = service.export_iati(demo_session, actor=role_actor(Role.DONOR, "CAN"))
    schema.validate(document.decode("utf-8"))  # raises on the first error
    root = ET.fromstring(document)  # noqa: S314 - our own export
    assert root.get("version") == "2.03"
    activities = {a.findtext("iati-identifier"): a for a in root.iter("iati-activity")}
    assert {"XM-PUENTE-RMRP-2019", "XM-PUENTE-RMRP-2023", "XM-PUENTE-RMRP-2024"} <= set(
        activities
    )
    rmrp = activities["XM-PUENTE-RMRP-2023"]
    kinds = [_kind(t) for t in rmrp.iter("transaction")]
    assert kinds.count("1") == 5  # incoming funds: the paid contributions
    assert kinds.count("11") == 1  # incoming commitment
    assert kinds.count("13") == 1  # incoming pledge
    internal = [t for t in rmrp.iter("transaction") if _kind(t) == "3"]
    assert len(internal) == 1
    provider = internal[0].find("provider-org")
    assert provider is not None
    assert provider.get("provider-activity-id") == "XM-PUENTE-RMRP-2023"
    budget = rmrp.find("budget/value")
    assert budget is not None
    assert budget.text == "1720000000.00"
    shares = [float(c.get("percentage") or 0) for c in rmrp.iter("recipient-country")]
    assert sum(shares) == pytest.approx(100.0)


def test_a_broken_document_would_not_validate(
    demo_session: Session, schema: xmlschema.XMLSchema
) -> None:
    document = service.export_iati(demo_session, actor=system_actor()).decode("utf-8")
    broken = document.replace("<iati-identifier>", "<iati-identifer>", 1).replace(
        "</iati-identifier>", "</iati-identifer>", 1
    )
    assert not schema.is_valid(broken)
