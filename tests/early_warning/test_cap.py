"""CAP 1.2: rendering validates; each extra rule of the specification fails when
broken; one alert carries infos in the five languages of the Declaration."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from puente.early_warning.rules.cap import (
    CAP_NAMESPACE,
    CapAlert,
    CapArea,
    CapInfo,
    CapReference,
    CapResource,
    Category,
    Certainty,
    MsgType,
    ResponseType,
    Scope,
    Severity,
    Status,
    Urgency,
    format_cap_datetime,
    render_cap,
    validate_cap,
)

SENT = datetime(2025, 3, 1, 14, 30, 15, 123456, tzinfo=UTC)
DARIEN = CapArea(
    area_desc="Darién, Panamá",
    polygons=(((8.0, -78.0), (8.5, -77.5), (7.5, -77.2), (8.0, -78.0)),),
    circles=((8.4, -77.9, 25.0),),
    geocodes=(("ISO3166-2", "PA-5"),),
)
INFO = CapInfo(
    categories=(Category.SAFETY,),
    event="Mass arrival of refugees and migrants",
    urgency=Urgency.EXPECTED,
    severity=Severity.SEVERE,
    certainty=Certainty.LIKELY,
    language="en",
    response_types=(ResponseType.PREPARE, ResponseType.MONITOR),
    event_codes=(("puente:trigger", "darien-surge-v2"),),
    effective=SENT,
    expires=SENT + timedelta(days=7),
    headline="Arrivals above reception capacity expected",
    parameters=(("forecast_caseload", "12500"), ("plan_id", "PA-2025-01")),
    resources=(CapResource("Forecast chart", "image/png", size=2048),),
    areas=(DARIEN,),
)
ALERT = CapAlert(
    identifier="PA-2025-0001",
    sender="alerts@puente.example",
    sent=SENT,
    status=Status.ACTUAL,
    msg_type=MsgType.ALERT,
    scope=Scope.RESTRICTED,
    restriction="Inter-state operational channel",
    infos=(INFO,),
)
PREVIOUS = CapReference("alerts@puente.example", "PA-2025-0000", SENT - timedelta(1))


def problems(alert: CapAlert) -> list[str]:
    return validate_cap(render_cap(alert))


def with_info(**changes: Any) -> CapAlert:
    return dataclasses.replace(ALERT, infos=(dataclasses.replace(INFO, **changes),))


class TestRender:
    def test_a_rendered_alert_validates(self) -> None:
        assert problems(ALERT) == []

    def test_is_utf8_xml_in_the_cap_namespace(self) -> None:
        xml = render_cap(ALERT)
        assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
        assert f'<alert xmlns="{CAP_NAMESPACE}">'.encode() in xml
        assert "Darién, Panamá".encode() in xml

    def test_sent_has_no_fraction_and_utc_is_minus_zero(self) -> None:
        assert b"<sent>2025-03-01T14:30:15-00:00</sent>" in render_cap(ALERT)

    def test_keeps_local_offsets(self) -> None:
        bogota = timezone(timedelta(hours=-5))
        assert format_cap_datetime(SENT.astimezone(bogota)).endswith("-05:00")
        kolkata = timezone(timedelta(hours=5, minutes=30))
        assert format_cap_datetime(SENT.astimezone(kolkata)).endswith("+05:30")

    def test_refuses_naive_times(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            format_cap_datetime(datetime(2025, 1, 1))  # noqa: DTZ001

    def test_references_are_sender_identifier_sent_triples(self) -> None:
        update = dataclasses.replace(
            ALERT, msg_type=MsgType.UPDATE, references=(PREVIOUS, PREVIOUS)
        )
        triple = "alerts@puente.example,PA-2025-0000,2025-02-28T14:30:15-00:00"
        assert f"<references>{triple} {triple}</references>".encode() in render_cap(
            update
        )
        assert problems(update) == []

    def test_elements_follow_schema_order(self) -> None:
        full = dataclasses.replace(
            ALERT,
            source="model",
            addresses=("ops PA", "ops-CO"),
            codes=("puente",),
            note="n",
            incidents=("inc-1",),
        )
        assert problems(full) == []
        assert b'<addresses>"ops PA" ops-CO</addresses>' in render_cap(full)

    def test_an_alert_without_info_is_valid(self) -> None:
        assert problems(dataclasses.replace(ALERT, infos=())) == []

    def test_carries_one_info_per_language(self) -> None:
        events = {
            "es": "Llegada masiva de personas refugiadas y migrantes",
            "en": "Mass arrival of refugees and migrants",
            "pt": "Chegada em massa de refugiados e migrantes",
            "fr": "Arrivée massive de réfugiés et de migrants",
            "ht": "Gwo kantite refijye ak migran k ap rive",
        }
        alert = dataclasses.replace(
            ALERT,
            infos=tuple(
                dataclasses.replace(INFO, language=language, event=event)
                for language, event in events.items()
            ),
        )
        assert problems(alert) == []
        xml = render_cap(alert)
        for language, event in events.items():
            assert f"<language>{language}</language>".encode() in xml
            assert event.encode() in xml


class TestValidate:
    def test_reports_schema_errors(self) -> None:
        xml = render_cap(ALERT).replace(b"<status>Actual", b"<status>Real")
        assert any(p.startswith("schema:") for p in validate_cap(xml))

    def test_reports_malformed_xml_and_refuses_entities(self) -> None:
        assert validate_cap(b"<alert")[0].startswith("not well-formed XML")
        bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
        assert "Entities are forbidden" in validate_cap(bomb)[0]

    def test_restricted_scope_needs_a_restriction(self) -> None:
        alert = dataclasses.replace(ALERT, restriction=None)
        assert problems(alert) == ["restriction is required when scope is Restricted"]

    def test_private_scope_needs_addresses(self) -> None:
        alert = dataclasses.replace(ALERT, scope=Scope.PRIVATE, restriction=None)
        assert problems(alert) == ["addresses are required when scope is Private"]
        assert problems(dataclasses.replace(alert, addresses=("ops-PA",))) == []

    @pytest.mark.parametrize("msg_type", [MsgType.UPDATE, MsgType.CANCEL])
    def test_update_and_cancel_need_references(self, msg_type: MsgType) -> None:
        alert = dataclasses.replace(ALERT, msg_type=msg_type)
        assert problems(alert) == [f"references are required for msgType {msg_type}"]

    def test_references_must_be_triples(self) -> None:
        xml = render_cap(
            dataclasses.replace(ALERT, msg_type=MsgType.UPDATE, references=(PREVIOUS,))
        ).replace(b",2025-02-28T14:30:15-00:00", b"")
        assert validate_cap(xml) == [
            "reference 'alerts@puente.example,PA-2025-0000' is not "
            "'sender,identifier,sent'"
        ]

    def test_identifier_must_not_contain_spaces_or_commas(self) -> None:
        alert = dataclasses.replace(ALERT, identifier="PA 2025,1")
        assert problems(alert) == [
            "identifier must be non-empty, without spaces, ',', '<', '&'"
        ]

    def test_polygon_needs_four_points(self) -> None:
        area = dataclasses.replace(
            DARIEN, polygons=(((8.0, -78.0), (8.5, -77.5), (8.0, -78.0)),)
        )
        assert problems(with_info(areas=(area,))) == [
            "info[1].area[1]: polygon needs at least 4 points, has 3"
        ]

    def test_polygon_must_be_closed(self) -> None:
        ring = ((8.0, -78.0), (8.5, -77.5), (7.5, -77.2), (8.1, -78.0))
        area = dataclasses.replace(DARIEN, polygons=(ring,))
        assert problems(with_info(areas=(area,))) == [
            "info[1].area[1]: polygon must end at its first point"
        ]

    def test_polygon_points_are_wgs84(self) -> None:
        ring = ((8.0, -78.0), (95.0, -77.5), (7.5, -77.2), (8.0, -78.0))
        area = dataclasses.replace(DARIEN, polygons=(ring,))
        assert problems(with_info(areas=(area,))) == [
            "info[1].area[1]: polygon point outside WGS 84 ranges"
        ]

    def test_polygon_format(self) -> None:
        xml = render_cap(ALERT).replace(b"8,-78 8.5,-77.5", b"8;-78 8.5,-77.5")
        assert validate_cap(xml) == [
            "info[1].area[1]: polygon must be space-separated 'lat,lon' pairs"
        ]

    def test_circle_format_and_ranges(self) -> None:
        xml = render_cap(ALERT).replace(
            b"<circle>8.4,-77.9 25</circle>", b"<circle>8.4,-77.9</circle>"
        )
        assert validate_cap(xml) == ["info[1].area[1]: circle must be 'lat,lon radius'"]
        area = dataclasses.replace(DARIEN, circles=((8.4, -190.0, 5.0),))
        assert problems(with_info(areas=(area,))) == [
            "info[1].area[1]: circle centre outside WGS 84 ranges"
        ]

    def test_language_is_an_iso_code(self) -> None:
        assert problems(with_info(language="spanish")) == [
            "info[1]: language 'spanish' is not an RFC 3066 code"
        ]
        assert problems(with_info(language="pt-BR")) == []

    def test_each_info_has_its_own_language(self) -> None:
        alert = dataclasses.replace(ALERT, infos=(INFO, INFO))
        assert problems(alert) == ["each info needs its own language"]

    def test_expires_after_effective(self) -> None:
        assert problems(with_info(expires=SENT)) == [
            "info[1]: expires must be after effective (or sent)"
        ]
        no_effective = with_info(effective=None, expires=SENT - timedelta(hours=1))
        assert problems(no_effective) == [
            "info[1]: expires must be after effective (or sent)"
        ]

    def test_expires_not_before_onset(self) -> None:
        alert = with_info(onset=SENT + timedelta(days=8))
        assert problems(alert) == ["info[1]: expires must not be before onset"]

    def test_ceiling_needs_altitude_and_must_be_above_it(self) -> None:
        area = dataclasses.replace(DARIEN, ceiling=100.0)
        assert problems(with_info(areas=(area,))) == [
            "info[1].area[1]: ceiling needs altitude"
        ]
        area = dataclasses.replace(DARIEN, altitude=200.0, ceiling=100.0)
        assert problems(with_info(areas=(area,))) == [
            "info[1].area[1]: ceiling must not be below altitude"
        ]
