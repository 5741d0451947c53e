"""Alerts: raised from firings (idempotent), lifecycle, CAP 1.2 validity, Atom and
notices."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
import xml.etree.ElementTree as ET  # parses our own output, not untrusted input
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.errors import PermissionDenied
from puente.early_warning.errors import UnknownTenant
from puente.early_warning.events import FlowsImported
from puente.early_warning.models.alerts import Alert, AlertMessage
from puente.early_warning.rules import cap
from puente.early_warning.schemas import FiringRead
from puente.early_warning.service import alerts as service
from puente.early_warning.service.alerts import lifecycle
from puente.identity import Role, system_actor
from tests.early_warning.alert_factories import Firing, actor

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"


def _raise(session: Session, *firings: FiringRead) -> list[Alert]:
    return service.raise_alerts(session, actor=system_actor(), firings=list(firings))


class TestRaiseAlerts:
    def test_a_firing_becomes_an_alert_with_one_message(self, session: Session) -> None:
        [alert] = _raise(session, Firing())
        assert alert.msg_type == "Alert"
        assert alert.status == "Actual"
        assert alert.country == "PAN"  # Darién series are Panama's
        messages = session.scalars(
            select(AlertMessage).where(AlertMessage.alert_id == alert.id)
        ).all()
        assert [m.sequence for m in messages] == [1]

    def test_is_idempotent_per_firing(self, session: Session) -> None:
        firing = Firing()
        _raise(session, firing)
        assert _raise(session, firing) == []
        count = session.scalars(
            select(AlertMessage).where(AlertMessage.firing_id == str(firing.id))
        ).all()
        assert len(count) == 1

    def test_a_firing_soon_after_updates_the_live_alert(self, session: Session) -> None:
        [first] = _raise(session, Firing(trigger_id="t-up", period=dt.date(2023, 6, 1)))
        [again] = _raise(
            session,
            Firing(trigger_id="t-up", period=dt.date(2023, 7, 1), severity="Extreme"),
        )
        assert again.id == first.id
        assert again.msg_type == "Update"
        assert again.severity == "Extreme"
        assert again.period == dt.date(2023, 7, 1)

    def test_a_much_later_firing_cancels_the_old_alert_and_opens_a_new_one(
        self, session: Session
    ) -> None:
        [old] = _raise(session, Firing(trigger_id="t-new", period=dt.date(2021, 9, 1)))
        touched = _raise(
            session, Firing(trigger_id="t-new", period=dt.date(2023, 8, 1))
        )
        assert old in touched
        assert old.msg_type == "Cancel"
        [new] = [a for a in touched if a.id != old.id]
        assert new.msg_type == "Alert"

    def test_an_alert_whose_firings_all_closed_is_stood_down(
        self, session: Session
    ) -> None:
        firing = Firing()
        [alert] = _raise(session, firing)
        touched = _raise(session, firing.model_copy(update={"is_open": False}))
        assert touched == [alert]
        assert alert.msg_type == "Cancel"
        last = session.scalars(
            select(AlertMessage)
            .where(AlertMessage.alert_id == alert.id)
            .order_by(AlertMessage.sequence.desc())
        ).first()
        assert last is not None
        assert last.note == service.STOOD_DOWN

    def test_exercise_and_test_statuses(self, session: Session) -> None:
        [alert] = service.raise_alerts(
            session,
            actor=system_actor(),
            firings=[Firing(series_key="honduras|*")],
            status=cap.Status.EXERCISE,
        )
        assert alert.status == "Exercise"
        assert alert.country == "HND"
        with pytest.raises(ValueError, match="Actual, Exercise or Test"):
            service.raise_alerts(
                session, actor=system_actor(), firings=[], status=cap.Status.DRAFT
            )

    def test_an_analyst_cannot_raise_alerts(self, session: Session) -> None:
        with pytest.raises(PermissionDenied):
            service.raise_alerts(session, actor=actor(Role.ANALYST), firings=[Firing()])

    def test_cap_values_are_normalised_and_the_country_read_from_the_key(
        self, session: Session
    ) -> None:
        [alert] = _raise(
            session,
            Firing(
                series_key="iom_lighthouse|geo=COL",
                severity="severe",
                urgency="bogus",
                certainty="Observed",
            ),
        )
        assert alert.country == "COL"
        assert (alert.severity, alert.urgency) == ("Severe", "Unknown")

    def test_the_firing_country_wins_over_the_series_key(
        self, session: Session
    ) -> None:
        [alert] = _raise(session, Firing(series_key="honduras|*", country="gtm"))
        assert alert.country == "GTM"

    def test_an_unknown_tenant_is_refused_and_nothing_is_written(
        self, session: Session
    ) -> None:
        known, unknown = Firing(), Firing(tenant_code="ZZZ")
        before = session.scalar(select(func.count()).select_from(AlertMessage))
        with pytest.raises(UnknownTenant):
            _raise(session, known, unknown)
        ids = [known.trigger_id, unknown.trigger_id]
        assert not session.scalars(select(Alert).where(Alert.trigger_id.in_(ids))).all()
        after = session.scalar(select(func.count()).select_from(AlertMessage))
        assert after == before

    def test_raising_is_audited(self, session: Session) -> None:
        [alert] = _raise(session, Firing())
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(alert.id))
        ).all()
        assert "early_warning:alert:raise" in actions


class TestLifecycle:
    def test_coordinator_updates_then_cancels(self, session: Session) -> None:
        [alert] = _raise(session, Firing())
        coordinator = actor(Role.COORDINATOR)
        service.update_alert(
            session,
            actor=coordinator,
            alert_id=alert.id,
            note="raised",
            severity=cap.Severity.EXTREME,
        )
        service.cancel_alert(session, actor=coordinator, alert_id=alert.id, note="over")
        detail = service.get_alert(session, actor=coordinator, alert_id=alert.id)
        assert [m.msg_type for m in detail.messages] == ["Alert", "Update", "Cancel"]
        assert not detail.is_current

    def test_a_cancelled_alert_cannot_change(self, session: Session) -> None:
        [alert] = _raise(session, Firing())
        coordinator = actor(Role.COORDINATOR)
        service.cancel_alert(session, actor=coordinator, alert_id=alert.id, note="x")
        with pytest.raises(service.AlertClosed):
            service.update_alert(
                session, actor=coordinator, alert_id=alert.id, note="again"
            )

    def test_an_analyst_cannot_cancel(self, session: Session) -> None:
        [alert] = _raise(session, Firing())
        with pytest.raises(PermissionDenied):
            service.cancel_alert(
                session, actor=actor(Role.ANALYST), alert_id=alert.id, note="x"
            )

    def test_transition_table(self) -> None:
        assert service.can_follow("Alert", "Update")
        assert service.can_follow("Update", "Cancel")
        assert not service.can_follow("Cancel", "Update")
        assert not service.can_follow("Alert", "Alert")


def _all_messages_validate(session: Session, alert: Alert) -> None:
    messages = session.scalars(
        select(AlertMessage)
        .where(AlertMessage.alert_id == alert.id)
        .order_by(AlertMessage.sequence)
    ).all()
    for message in messages:
        xml = cap.render_cap(service.cap_message(session, alert, message))
        assert cap.validate_cap(xml) == [], xml.decode()


class TestCap:
    def test_every_message_of_every_lifecycle_validates(self, session: Session) -> None:
        [alert] = _raise(
            session, Firing(trigger_id="t-all", period=dt.date(2023, 6, 1))
        )
        _raise(session, Firing(trigger_id="t-all", period=dt.date(2023, 7, 1)))
        assert alert.sequence == 2
        service.cancel_alert(
            session, actor=actor(Role.COORDINATOR), alert_id=alert.id, note="over"
        )
        _all_messages_validate(session, alert)

    @pytest.mark.parametrize(
        ("severity", "urgency", "certainty"),
        list(
            itertools.product(
                ["Extreme", "Severe", "Moderate", "Minor", "Unknown"],
                ["Immediate", "Expected", "Future", "Past", "Unknown"],
                ["Observed", "Likely", "Possible", "Unlikely", "Unknown"],
            )
        )[::7],
    )
    def test_any_cap_mapping_validates(
        self, session: Session, severity: str, urgency: str, certainty: str
    ) -> None:
        [alert] = _raise(
            session,
            Firing(
                trigger_id=f"t-{severity}-{urgency}-{certainty}",
                severity=severity,
                urgency=urgency,
                certainty=certainty,
                series_key="regional|*",
            ),
        )
        assert alert.country is None  # no area geocode, still valid
        _all_messages_validate(session, alert)

    def test_one_info_per_language_with_area_and_trigger(
        self, session: Session
    ) -> None:
        [alert] = _raise(session, Firing())
        root = ET.fromstring(service.render_alert(session, alert))  # noqa: S314
        infos = root.findall(f"{CAP}info")
        assert [i.findtext(f"{CAP}language") for i in infos] == [
            "en",
            "es",
            "pt",
            "fr",
            "ht",
        ]
        es = infos[1]
        assert es.findtext(f"{CAP}headline") == "Aumento de tránsitos por el Darién"
        geocode = es.find(f"{CAP}area/{CAP}geocode")
        assert geocode is not None
        assert geocode.findtext(f"{CAP}value") == "PAN"
        assert es.findtext(f"{CAP}eventCode/{CAP}value") == alert.trigger_id
        assert root.findtext(f"{CAP}scope") == "Restricted"
        assert root.findtext(f"{CAP}restriction")

    def test_update_references_the_earlier_message(self, session: Session) -> None:
        [alert] = _raise(
            session, Firing(trigger_id="t-ref", period=dt.date(2023, 6, 1))
        )
        _raise(session, Firing(trigger_id="t-ref", period=dt.date(2023, 7, 1)))
        root = ET.fromstring(service.render_alert(session, alert))  # noqa: S314
        assert root.findtext(f"{CAP}msgType") == "Update"
        references = root.findtext(f"{CAP}references") or ""
        assert f".{alert.id.hex}.1," in references

    def test_export_writes_one_valid_file_per_alert(
        self, session: Session, tmp_path: Path
    ) -> None:
        _raise(session, Firing(), Firing(series_key="mexico_pam|*"))
        paths = service.export_cap_files(
            session, actor=system_actor(), out_dir=tmp_path / "cap"
        )
        total = session.scalars(select(Alert.id)).all()
        assert len(paths) == len(total)
        for path in paths:
            assert cap.validate_cap(path.read_bytes()) == []


class TestAtom:
    def test_feed_lists_current_alerts_linking_their_cap(
        self, session: Session
    ) -> None:
        [live] = _raise(session, Firing())
        [gone] = _raise(session, Firing(trigger_id="other", series_key="honduras|*"))
        service.cancel_alert(
            session, actor=actor(Role.COORDINATOR), alert_id=gone.id, note="x"
        )
        xml = service.atom_feed(
            session, actor=actor(Role.ANALYST), base_url="http://hub.example/"
        )
        feed = ET.fromstring(xml)  # noqa: S314
        assert feed.tag == f"{ATOM}feed"
        for tag in ("id", "title", "updated"):
            assert feed.findtext(f"{ATOM}{tag}")
        ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
        assert f"urn:uuid:{live.id}" in ids
        assert f"urn:uuid:{gone.id}" not in ids
        entry = next(
            e
            for e in feed.findall(f"{ATOM}entry")
            if e.findtext(f"{ATOM}id") == f"urn:uuid:{live.id}"
        )
        link = entry.find(f"{ATOM}link[@type='application/cap+xml']")
        assert link is not None
        assert link.get("href") == (
            f"http://hub.example/api/v1/early-warning/alerts/{live.id}.cap.xml"
        )
        for child in ("title", "updated", "id"):
            assert entry.findtext(f"{ATOM}{child}")
        updated = feed.findtext(f"{ATOM}updated") or ""
        assert dt.datetime.fromisoformat(updated.replace("Z", "+00:00")).tzinfo


class TestNotices:
    def test_subscribed_roles_see_unread_notices_until_read(
        self, session: Session
    ) -> None:
        [alert] = _raise(session, Firing())
        analyst = actor(Role.ANALYST)
        [notice] = [
            n
            for n in service.unread_notices(session, actor=analyst)
            if n.alert_id == alert.id
        ]
        service.mark_notice_read(session, actor=analyst, notice_id=notice.id)
        service.mark_notice_read(session, actor=analyst, notice_id=notice.id)
        assert alert.id not in [
            n.alert_id for n in service.unread_notices(session, actor=analyst)
        ]
        # another analyst still has theirs
        others = service.unread_notices(session, actor=actor(Role.ANALYST), limit=500)
        assert alert.id in [n.alert_id for n in others]

    def test_notice_text_is_in_the_recipients_language(self, session: Session) -> None:
        from puente.core import i18n

        [alert] = _raise(session, Firing())
        with i18n.use_locale("pt"):
            notices = service.unread_notices(
                session, actor=actor(Role.COORDINATOR), limit=500
            )
        [notice] = [n for n in notices if n.alert_id == alert.id]
        assert notice.title == "Aumento de trânsitos pelo Darién"

    def test_unsubscribed_roles_get_none(self, session: Session) -> None:
        _raise(session, Firing())
        assert service.unread_notices(session, actor=actor(Role.DONOR)) == []

    def test_a_user_cannot_read_another_roles_notice(self, session: Session) -> None:
        _raise(session, Firing())
        notice = service.unread_notices(session, actor=actor(Role.ANALYST))[0]
        with pytest.raises(service.NoticeNotFound):
            service.mark_notice_read(
                session, actor=actor(Role.FOCAL_POINT, "COL"), notice_id=notice.id
            )


class TestFlowsImported:
    def test_the_handler_raises_alerts_in_its_own_unit_of_work(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        firing = Firing()
        monkeypatch.setattr(
            lifecycle,
            "list_firings",
            lambda _session, *, actor, since: [firing],
        )

        @contextmanager
        def test_uow() -> Iterator[Session]:
            yield session

        event = FlowsImported(source="darien_nat", vintage_id=uuid.uuid4())
        assert service.handle_flows_imported(event, open_uow=test_uow) == 1
        assert session.scalars(
            select(AlertMessage).where(AlertMessage.firing_id == str(firing.id))
        ).one()


@pytest.mark.slow
class TestDemoAlerts:
    def test_every_alert_from_the_demo_data_validates(
        self, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Load the shipped flows, evaluate the default triggers, raise the alerts
        and validate every CAP file `puente alerts export` would write."""
        from rich.console import Console

        from puente.core.config import get_settings

        monkeypatch.setenv("PUENTE_VAR_DIR", str(tmp_path / "var"))
        get_settings.cache_clear()
        from rich.progress import Progress

        from puente.early_warning import demo

        with Progress(console=Console(file=io.StringIO())) as progress:
            demo.load(session, progress)
        service.raise_alerts(session, actor=system_actor())
        paths = service.export_cap_files(
            session, actor=system_actor(), out_dir=tmp_path / "cap"
        )
        assert len(paths) >= 3  # the Darién waves at least
        problems = {
            path.name: found
            for path in paths
            if (found := cap.validate_cap(path.read_bytes()))
        }
        assert problems == {}
        # and every earlier message (Alert, Update, Cancel) of every alert
        for alert in session.scalars(select(Alert)):
            _all_messages_validate(session, alert)


class TestAnyFiringValidates:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        title=st.text(max_size=80),
        series=st.text(min_size=1, max_size=60),
        values=st.dictionaries(
            st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True),
            st.one_of(
                st.booleans(),
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(),
                st.none(),
            ),
            max_size=6,
        ),
        severity=st.sampled_from(["Extreme", "Severe", "Moderate", "Minor", "??"]),
        urgency=st.sampled_from(["Immediate", "Expected", "Future", "Past", "x"]),
        country=st.sampled_from([None, "PAN", "HND", "MEX"]),
    )
    def test_whatever_the_data_the_cap_message_validates(
        self,
        session: Session,
        title: str,
        series: str,
        values: dict[str, object],
        severity: str,
        urgency: str,
        country: str | None,
    ) -> None:
        firing = Firing(
            trigger_id=f"t-{uuid.uuid4().hex[:8]}",
            trigger_version="1",
            series_key=series,
            period=dt.date(2024, 3, 1),
            values=values,
            titles={"en": title, "es": title[::-1]},
            severity=severity,
            urgency=urgency,
            certainty="Likely",
            country=country,
        )
        [alert] = _raise(session, firing)
        _all_messages_validate(session, alert)
