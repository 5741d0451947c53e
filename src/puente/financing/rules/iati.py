"""IATI 2.03 activity XML from plans and their flows.

One activity per plan: its requirements are yearly budgets, the flows entering
it are incoming pledges (13), incoming commitments (11) and incoming funds (1);
a flow inside the plan is a disbursement (3) from the agency to its partner,
with `provider-activity-id` naming the plan, IATI's own guard against counting
the same money twice. FTS status → IATI transaction type follows research/05
§1.2. Recipient countries carry percentages from the requirements; sectors use
OECD DAC purpose codes (vocabulary 1).

Pure: builds the document; `service/iati.py` validates it against the vendored
schema.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

IATI_VERSION: Final = "2.03"
ACTIVITY_STATUS_IMPLEMENTATION: Final = "2"
ACTIVITY_STATUS_COMPLETION: Final = "3"
ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_EXTENDING, ROLE_IMPLEMENTING = "1", "2", "3", "4"
DATE_PLANNED_START, DATE_ACTUAL_START, DATE_PLANNED_END, DATE_ACTUAL_END = (
    "1",
    "2",
    "3",
    "4",
)
BUDGET_ORIGINAL: Final = "1"
INCOMING_FUNDS, OUTGOING_COMMITMENT, DISBURSEMENT = "1", "2", "3"
INCOMING_COMMITMENT, OUTGOING_PLEDGE, INCOMING_PLEDGE = "11", "12", "13"


@dataclass(frozen=True, slots=True)
class Org:
    name: str
    ref: str = ""
    type: str = ""


@dataclass(frozen=True, slots=True)
class Transaction:
    type: str
    date: dt.date
    value_usd: Decimal
    description: str
    provider: Org | None = None
    receiver: Org | None = None
    provider_activity_id: str = ""
    sector_code: str = ""
    country_alpha2: str = ""
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Budget:
    year: int
    value_usd: Decimal


@dataclass(frozen=True, slots=True)
class Activity:
    identifier: str
    title: str
    description: str
    reporting_org: Org
    start: dt.date
    end: dt.date
    status: str
    participants: Sequence[tuple[Org, str]] = ()
    countries: Sequence[tuple[str, Decimal]] = ()  # (alpha-2, percentage)
    sectors: Sequence[tuple[str, Decimal]] = ()  # (DAC code, percentage)
    budgets: Sequence[Budget] = ()
    transactions: Sequence[Transaction] = ()
    humanitarian: bool = True
    last_updated: dt.datetime | None = None
    other: dict[str, str] = field(default_factory=dict)


def _narrative(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "narrative").text = text


def _org(parent: ET.Element, tag: str, org: Org, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if org.ref:
        element.set("ref", org.ref)
    if org.type:
        element.set("type", org.type)
    for name, value in attributes.items():
        if value:
            element.set(name.replace("_", "-"), value)
    _narrative(element, org.name)
    return element


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _percentages(parts: Sequence[tuple[str, Decimal]]) -> list[tuple[str, str]]:
    """Percentages to two decimals that sum to exactly 100 (IATI's rule)."""
    if not parts:
        return []
    rounded = [(code, share.quantize(Decimal("0.01"))) for code, share in parts]
    drift = Decimal("100.00") - sum(share for _, share in rounded)
    if drift:
        largest = max(range(len(rounded)), key=lambda i: rounded[i][1])
        code, share = rounded[largest]
        rounded[largest] = (code, share + drift)
    return [(code, f"{share}") for code, share in rounded]


def _transaction(parent: ET.Element, item: Transaction) -> None:
    element = ET.SubElement(parent, "transaction")
    if item.ref:
        element.set("ref", item.ref)
    ET.SubElement(element, "transaction-type", code=item.type)
    ET.SubElement(element, "transaction-date", {"iso-date": item.date.isoformat()})
    value = ET.SubElement(
        element, "value", {"currency": "USD", "value-date": item.date.isoformat()}
    )
    value.text = _amount(item.value_usd)
    _narrative(ET.SubElement(element, "description"), item.description)
    if item.provider is not None:
        _org(
            element,
            "provider-org",
            item.provider,
            provider_activity_id=item.provider_activity_id,
        )
    if item.receiver is not None:
        _org(element, "receiver-org", item.receiver)
    if item.sector_code:
        ET.SubElement(element, "sector", vocabulary="1", code=item.sector_code)
    if item.country_alpha2:
        ET.SubElement(element, "recipient-country", code=item.country_alpha2)


def _activity(parent: ET.Element, activity: Activity) -> None:
    element = ET.SubElement(parent, "iati-activity")
    element.set("default-currency", "USD")
    element.set("humanitarian", "1" if activity.humanitarian else "0")
    element.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    if activity.last_updated is not None:
        element.set("last-updated-datetime", activity.last_updated.isoformat())
    ET.SubElement(element, "iati-identifier").text = activity.identifier
    _org(element, "reporting-org", activity.reporting_org)
    _narrative(ET.SubElement(element, "title"), activity.title)
    _narrative(ET.SubElement(element, "description", type="1"), activity.description)
    for org, role in activity.participants:
        _org(element, "participating-org", org, role=role)
    ET.SubElement(element, "activity-status", code=activity.status)
    ET.SubElement(
        element,
        "activity-date",
        {"type": DATE_PLANNED_START, "iso-date": activity.start.isoformat()},
    )
    ET.SubElement(
        element,
        "activity-date",
        {"type": DATE_PLANNED_END, "iso-date": activity.end.isoformat()},
    )
    for code, percentage in _percentages(activity.countries):
        ET.SubElement(element, "recipient-country", code=code, percentage=percentage)
    if not activity.countries:
        # DAC region 498: America, regional.
        ET.SubElement(
            element, "recipient-region", code="498", vocabulary="1", percentage="100"
        )
    for code, percentage in _percentages(activity.sectors):
        ET.SubElement(
            element, "sector", vocabulary="1", code=code, percentage=percentage
        )
    for budget in activity.budgets:
        entry = ET.SubElement(element, "budget", type=BUDGET_ORIGINAL, status="1")
        ET.SubElement(
            entry, "period-start", {"iso-date": dt.date(budget.year, 1, 1).isoformat()}
        )
        ET.SubElement(
            entry, "period-end", {"iso-date": dt.date(budget.year, 12, 31).isoformat()}
        )
        value = ET.SubElement(
            entry,
            "value",
            {"currency": "USD", "value-date": dt.date(budget.year, 1, 1).isoformat()},
        )
        value.text = _amount(budget.value_usd)
    for item in activity.transactions:
        _transaction(element, item)


def build_document(activities: Sequence[Activity], generated: dt.datetime) -> bytes:
    """The `iati-activities` document as UTF-8 bytes with an XML declaration."""
    root = ET.Element(
        "iati-activities",
        {"version": IATI_VERSION, "generated-datetime": generated.isoformat()},
    )
    for activity in activities:
        _activity(root, activity)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body
