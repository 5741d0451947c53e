"""CAP 1.2 alerts (OASIS Common Alerting Protocol): build, render, validate.

Pure: frozen dataclasses in, UTF-8 XML out. `validate_cap` checks the vendored
XSD and the CAP 1.2 rules written in the specification's text that the schema
cannot express (scope-dependent elements, references, geometry, time order).
"""

from __future__ import annotations

import enum
import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import xmlschema

__all__ = [
    "CAP_NAMESPACE",
    "CapAlert",
    "CapArea",
    "CapInfo",
    "CapReference",
    "CapResource",
    "Category",
    "Certainty",
    "MsgType",
    "ResponseType",
    "Scope",
    "Severity",
    "Status",
    "Urgency",
    "format_cap_datetime",
    "render_cap",
    "validate_cap",
]

CAP_NAMESPACE: Final = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_PATH: Final = Path(__file__).parents[1] / "data" / "CAP-v1.2.xsd"


class Status(enum.StrEnum):
    ACTUAL = "Actual"
    EXERCISE = "Exercise"
    SYSTEM = "System"
    TEST = "Test"
    DRAFT = "Draft"


class MsgType(enum.StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"
    ACK = "Ack"
    ERROR = "Error"


class Scope(enum.StrEnum):
    PUBLIC = "Public"
    RESTRICTED = "Restricted"
    PRIVATE = "Private"


class Category(enum.StrEnum):
    GEO = "Geo"
    MET = "Met"
    SAFETY = "Safety"
    SECURITY = "Security"
    RESCUE = "Rescue"
    FIRE = "Fire"
    HEALTH = "Health"
    ENV = "Env"
    TRANSPORT = "Transport"
    INFRA = "Infra"
    CBRNE = "CBRNE"
    OTHER = "Other"


class ResponseType(enum.StrEnum):
    SHELTER = "Shelter"
    EVACUATE = "Evacuate"
    PREPARE = "Prepare"
    EXECUTE = "Execute"
    AVOID = "Avoid"
    MONITOR = "Monitor"
    ASSESS = "Assess"
    ALL_CLEAR = "AllClear"
    NONE = "None"


class Urgency(enum.StrEnum):
    IMMEDIATE = "Immediate"
    EXPECTED = "Expected"
    FUTURE = "Future"
    PAST = "Past"
    UNKNOWN = "Unknown"


class Severity(enum.StrEnum):
    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Certainty(enum.StrEnum):
    OBSERVED = "Observed"
    LIKELY = "Likely"
    POSSIBLE = "Possible"
    UNLIKELY = "Unlikely"
    UNKNOWN = "Unknown"


Point = tuple[float, float]  # (latitude, longitude), WGS 84


@dataclass(frozen=True, slots=True)
class CapReference:
    """An earlier message this one updates, cancels or acknowledges."""

    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True, slots=True)
class CapResource:
    resource_desc: str
    mime_type: str
    size: int | None = None
    uri: str | None = None
    deref_uri: str | None = None
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class CapArea:
    """`polygons` are closed rings of (lat, lon); `circles` are (lat, lon, km)."""

    area_desc: str
    polygons: tuple[tuple[Point, ...], ...] = ()
    circles: tuple[tuple[float, float, float], ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()
    altitude: float | None = None
    ceiling: float | None = None


@dataclass(frozen=True, slots=True)
class CapInfo:
    """One language's text of the alert; times must be timezone-aware."""

    categories: tuple[Category, ...]
    event: str
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    language: str = "en-US"
    response_types: tuple[ResponseType, ...] = ()
    audience: str | None = None
    event_codes: tuple[tuple[str, str], ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    web: str | None = None
    contact: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    resources: tuple[CapResource, ...] = ()
    areas: tuple[CapArea, ...] = ()


@dataclass(frozen=True, slots=True)
class CapAlert:
    """A CAP 1.2 alert message; `addresses` are rendered space-delimited."""

    identifier: str
    sender: str
    sent: datetime
    status: Status
    msg_type: MsgType
    scope: Scope
    source: str | None = None
    restriction: str | None = None
    addresses: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    note: str | None = None
    references: tuple[CapReference, ...] = ()
    incidents: tuple[str, ...] = ()
    infos: tuple[CapInfo, ...] = ()


# --------------------------------------------------------------------------- render


def format_cap_datetime(value: datetime) -> str:
    """`YYYY-MM-DDThh:mm:ss±hh:mm`; UTC is `-00:00` per CAP 1.2 §3.3.2."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("CAP times must be timezone-aware.")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes <= 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{value:%Y-%m-%dT%H:%M:%S}{sign}{hours:02d}:{rest:02d}"


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else repr(value)


def _join_listed(values: tuple[str, ...]) -> str:
    # CAP lists are space-delimited; an item containing a space is quoted.
    return " ".join(f'"{value}"' if " " in value else value for value in values)


def _add(parent: ET.Element, tag: str, text: str | None) -> None:
    if text is not None:
        ET.SubElement(parent, f"{{{CAP_NAMESPACE}}}{tag}").text = text


def _add_pairs(
    parent: ET.Element, tag: str, pairs: tuple[tuple[str, str], ...]
) -> None:
    for name, value in pairs:
        element = ET.SubElement(parent, f"{{{CAP_NAMESPACE}}}{tag}")
        _add(element, "valueName", name)
        _add(element, "value", value)


def _when(value: datetime | None) -> str | None:
    return None if value is None else format_cap_datetime(value)


def render_cap(alert: CapAlert) -> bytes:
    """The alert as UTF-8 XML, elements in schema order. Does not validate."""
    root = ET.Element(f"{{{CAP_NAMESPACE}}}alert")
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", format_cap_datetime(alert.sent))
    _add(root, "status", alert.status.value)
    _add(root, "msgType", alert.msg_type.value)
    _add(root, "source", alert.source)
    _add(root, "scope", alert.scope.value)
    _add(root, "restriction", alert.restriction)
    _add(root, "addresses", _join_listed(alert.addresses) or None)
    for code in alert.codes:
        _add(root, "code", code)
    _add(root, "note", alert.note)
    references = " ".join(
        f"{ref.sender},{ref.identifier},{format_cap_datetime(ref.sent)}"
        for ref in alert.references
    )
    _add(root, "references", references or None)
    _add(root, "incidents", _join_listed(alert.incidents) or None)
    for info in alert.infos:
        _render_info(ET.SubElement(root, f"{{{CAP_NAMESPACE}}}info"), info)
    xml: bytes = ET.tostring(
        root, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NAMESPACE
    )
    return xml


def _render_info(element: ET.Element, info: CapInfo) -> None:
    _add(element, "language", info.language)
    for category in info.categories:
        _add(element, "category", category.value)
    _add(element, "event", info.event)
    for response in info.response_types:
        _add(element, "responseType", response.value)
    _add(element, "urgency", info.urgency.value)
    _add(element, "severity", info.severity.value)
    _add(element, "certainty", info.certainty.value)
    _add(element, "audience", info.audience)
    _add_pairs(element, "eventCode", info.event_codes)
    _add(element, "effective", _when(info.effective))
    _add(element, "onset", _when(info.onset))
    _add(element, "expires", _when(info.expires))
    for tag, text in (
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("instruction", info.instruction),
        ("web", info.web),
        ("contact", info.contact),
    ):
        _add(element, tag, text)
    _add_pairs(element, "parameter", info.parameters)
    for resource in info.resources:
        child = ET.SubElement(element, f"{{{CAP_NAMESPACE}}}resource")
        _add(child, "resourceDesc", resource.resource_desc)
        _add(child, "mimeType", resource.mime_type)
        _add(child, "size", None if resource.size is None else str(resource.size))
        _add(child, "uri", resource.uri)
        _add(child, "derefUri", resource.deref_uri)
        _add(child, "digest", resource.digest)
    for area in info.areas:
        child = ET.SubElement(element, f"{{{CAP_NAMESPACE}}}area")
        _add(child, "areaDesc", area.area_desc)
        for ring in area.polygons:
            points = " ".join(f"{_number(lat)},{_number(lon)}" for lat, lon in ring)
            _add(child, "polygon", points)
        for lat, lon, radius in area.circles:
            _add(child, "circle", f"{_number(lat)},{_number(lon)} {_number(radius)}")
        _add_pairs(child, "geocode", area.geocodes)
        _add(
            child, "altitude", None if area.altitude is None else _number(area.altitude)
        )
        _add(child, "ceiling", None if area.ceiling is None else _number(area.ceiling))


# --------------------------------------------------------------------------- validate


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_PATH))


_DATETIME_RE: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d")
_FORBIDDEN_ID_RE: Final = re.compile(r"[\s,<&]")
# RFC 3066 with an ISO 639 primary subtag (2-3 letters): "es", "pt-BR", "ht".
_LANGUAGE_RE: Final = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_NUMBER: Final = r"[-+]?\d+(?:\.\d+)?"
_PAIR_RE: Final = re.compile(rf"({_NUMBER}),({_NUMBER})")
_CIRCLE_RE: Final = re.compile(rf"({_NUMBER}),({_NUMBER}) ({_NUMBER})")


def _parse_datetime(text: str) -> datetime | None:
    if not _DATETIME_RE.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _valid_point(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180


def _check_polygon(text: str, where: str) -> list[str]:
    pairs = text.split()
    matches = [_PAIR_RE.fullmatch(pair) for pair in pairs]
    if not pairs or not all(matches):
        return [f"{where}: polygon must be space-separated 'lat,lon' pairs"]
    points = [(float(m.group(1)), float(m.group(2))) for m in matches if m]
    problems = []
    if len(points) < 4:
        problems.append(f"{where}: polygon needs at least 4 points, has {len(points)}")
    if points[0] != points[-1]:
        problems.append(f"{where}: polygon must end at its first point")
    if not all(_valid_point(lat, lon) for lat, lon in points):
        problems.append(f"{where}: polygon point outside WGS 84 ranges")
    return problems


def _check_circle(text: str, where: str) -> list[str]:
    match = _CIRCLE_RE.fullmatch(text.strip())
    if match is None:
        return [f"{where}: circle must be 'lat,lon radius'"]
    lat, lon, radius = (float(group) for group in match.groups())
    if not _valid_point(lat, lon):
        return [f"{where}: circle centre outside WGS 84 ranges"]
    if radius < 0:
        return [f"{where}: circle radius must not be negative"]
    return []


def _text(element: ET.Element, tag: str) -> str | None:
    child = element.find(f"{{{CAP_NAMESPACE}}}{tag}")
    return None if child is None or child.text is None else child.text.strip()


def _all_text(element: ET.Element, tag: str) -> list[str]:
    return [
        (child.text or "").strip()
        for child in element.findall(f"{{{CAP_NAMESPACE}}}{tag}")
    ]


def validate_cap(xml: bytes) -> list[str]:
    """Problems with a CAP 1.2 message: schema errors, then the specification's
    extra rules. An empty list means valid. Entities and DTDs are refused."""
    try:
        resource = xmlschema.XMLResource(xml, defuse="always")
    except (xmlschema.XMLResourceError, ET.ParseError) as exc:
        return [f"not well-formed XML: {exc}"]
    schema_errors = [
        f"schema: {error.reason or error.message} at {error.path}"
        for error in _schema().iter_errors(resource)
    ]
    if schema_errors:
        return schema_errors
    return _check_rules(resource.root)


def _check_rules(alert: ET.Element) -> list[str]:
    problems: list[str] = []
    for tag in ("identifier", "sender"):
        value = _text(alert, tag) or ""
        if not value or _FORBIDDEN_ID_RE.search(value):
            problems.append(f"{tag} must be non-empty, without spaces, ',', '<', '&'")
    scope, msg_type = _text(alert, "scope"), _text(alert, "msgType")
    if scope == Scope.RESTRICTED and not _text(alert, "restriction"):
        problems.append("restriction is required when scope is Restricted")
    if scope == Scope.PRIVATE and not _text(alert, "addresses"):
        problems.append("addresses are required when scope is Private")
    references = _text(alert, "references")
    if msg_type in (MsgType.UPDATE, MsgType.CANCEL) and not references:
        problems.append(f"references are required for msgType {msg_type}")
    for triple in (references or "").split():
        parts = triple.split(",")
        if len(parts) != 3 or not all(parts) or _parse_datetime(parts[2]) is None:
            problems.append(f"reference {triple!r} is not 'sender,identifier,sent'")
    sent = _parse_datetime(_text(alert, "sent") or "")
    infos = alert.findall(f"{{{CAP_NAMESPACE}}}info")
    for number, info in enumerate(infos, start=1):
        problems.extend(_check_info(info, f"info[{number}]", sent))
    languages = [_text(info, "language") or "en-US" for info in infos]
    if len({language.lower() for language in languages}) < len(languages):
        problems.append("each info needs its own language")
    return problems


def _check_info(info: ET.Element, where: str, sent: datetime | None) -> list[str]:
    problems: list[str] = []
    language = _text(info, "language")
    if language is not None and not _LANGUAGE_RE.fullmatch(language):
        problems.append(f"{where}: language {language!r} is not an RFC 3066 code")
    times = {tag: _text(info, tag) for tag in ("effective", "onset", "expires")}
    parsed = {tag: _parse_datetime(text) for tag, text in times.items() if text}
    for tag, value in parsed.items():
        if value is None:
            problems.append(f"{where}: {tag} is not a valid date and time")
    effective = parsed.get("effective") or sent
    expires = parsed.get("expires")
    if expires is not None and effective is not None and expires <= effective:
        problems.append(f"{where}: expires must be after effective (or sent)")
    onset = parsed.get("onset")
    if expires is not None and onset is not None and expires < onset:
        problems.append(f"{where}: expires must not be before onset")
    for number, area in enumerate(info.findall(f"{{{CAP_NAMESPACE}}}area"), start=1):
        place = f"{where}.area[{number}]"
        for polygon in _all_text(area, "polygon"):
            problems.extend(_check_polygon(polygon, place))
        for circle in _all_text(area, "circle"):
            problems.extend(_check_circle(circle, place))
        altitude, ceiling = _text(area, "altitude"), _text(area, "ceiling")
        if ceiling is not None and altitude is None:
            problems.append(f"{place}: ceiling needs altitude")
        elif (
            ceiling is not None
            and altitude is not None
            and float(ceiling) < float(altitude)
        ):
            problems.append(f"{place}: ceiling must not be below altitude")
    return problems
