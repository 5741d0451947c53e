"""The visa and entry matrix as the node holds it: each state's signed regimes
(verified on every load; the shipped, demo-signed ones until a state's publication
is loaded), the answer for one nationality and state, the region-wide matrix, the
screening's entry note, and loading a new version, which announces each regime that
changed (`EntryRegimeChanged`, after commit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.errors import NotFound, PermissionDenied
from puente.core.i18n import N_, gettext, use_locale
from puente.identity import Actor, Sensitivity, authorize
from puente.pathways.events import EntryRegimeChanged
from puente.pathways.models import EntryRegimeVersion
from puente.pathways.rules.catalogue import LAD_STATES, LocalizedText, PathwayKind
from puente.pathways.rules.eligibility import ScreeningResult
from puente.pathways.rules.entry_regimes import (
    REGIME_LABELS,
    RegimeChange,
    RegimeEntry,
    RegimeTable,
    regime_changes,
)
from puente.pathways.rules.facts import LANGUAGES, Facts
from puente.pathways.schemas import EntryRegimeRead
from puente.pathways.service._common import today_utc
from puente.pathways.service.publications import shipped_public_keys
from puente.pathways.service.regime_publications import (
    shipped_regimes_document,
    verify_regime_publication,
    verify_regimes,
)
from puente.reference import CodeKind, americas, country_name, find_country

log = structlog.get_logger(__name__)

ENTRY_BLOCKED = N_(
    "To enter %(state)s, nationals of %(nationality)s need a visa they cannot "
    "obtain at present (%(regime)s)."
)


class UnknownCountryCode(NotFound):
    message = N_("No country with the code %(code)s.")


class NotAnEndorsingState(NotFound):
    message = N_("%(code)s is not one of the endorsing states.")


@cache
def shipped_regimes() -> Mapping[str, RegimeTable]:
    """The shipped, demo-signed regimes (verified once per process)."""
    return verify_regimes(shipped_regimes_document(), shipped_public_keys())


_FROM_ROWS: dict[tuple[tuple[str, str], ...], Mapping[str, RegimeTable]] = {}


def active_regimes(session: Session) -> Mapping[str, RegimeTable]:
    """Each endorsing state's regimes: its current loaded publication, else the
    shipped one. Signatures are checked on load (memoised per set of rows)."""
    rows = session.scalars(
        select(EntryRegimeVersion).where(EntryRegimeVersion.is_current.is_(True))
    ).all()
    tables = dict(shipped_regimes())
    if rows:
        key = tuple(sorted((str(r.id), r.signature) for r in rows))
        loaded = _FROM_ROWS.get(key)
        if loaded is None:
            keys = shipped_public_keys()
            loaded = {
                r.tenant_code: verify_regime_publication(r.document, keys) for r in rows
            }
            if len(_FROM_ROWS) > 8:
                _FROM_ROWS.clear()
            _FROM_ROWS[key] = loaded
        tables.update(loaded)
    return tables


def americas_nationalities() -> tuple[str, ...]:
    """Every nationality of the Americas the matrix must answer for."""
    return tuple(sorted(c.alpha3 for c in americas()))


def _require_role(actor: Actor) -> None:
    """Public data, but for signed-in people with a role (any role)."""
    if not actor.roles:
        raise PermissionDenied()


def _check_codes(nationality: str, destination: str) -> tuple[str, str]:
    dest = destination.strip().upper()
    if dest not in LAD_STATES:
        raise NotAnEndorsingState(code=destination[:8])
    country = find_country(nationality.strip())
    if (
        country is None
        or country.kind is not CodeKind.ISO
        or len(nationality.strip()) != 3
    ):
        raise UnknownCountryCode(code=nationality[:8])
    return country.alpha3, dest


def entry_read(entry: RegimeEntry, nationality: str) -> EntryRegimeRead:
    return EntryRegimeRead(
        nationality=nationality,
        destination=entry.destination,
        regime=entry.regime.value,
        max_stay_days=entry.max_stay_days,
        source_url=entry.source_url,
        valid_from=entry.valid_from,
    )


def get_entry_regime(
    session: Session,
    *,
    actor: Actor,
    nationality: str,
    destination: str,
    today: dt.date | None = None,
) -> EntryRegimeRead:
    """The regime in force for nationals of `nationality` entering `destination`
    (public data: any authenticated actor). Unknown codes: `NotFound`."""
    _require_role(actor)
    nat, dest = _check_codes(nationality, destination)
    table = active_regimes(session)[dest]
    return entry_read(table.entry_for(nat, today or today_utc()), nat)


@dataclass(frozen=True)
class MatrixRow:
    nationality: str
    cells: tuple[RegimeEntry, ...]


def regime_matrix(
    session: Session,
    *,
    actor: Actor,
    nationalities: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> list[MatrixRow]:
    """Nationalities (the Americas by default) × the 20 endorsing states (public
    data: any authenticated actor)."""
    _require_role(actor)
    day = today or today_utc()
    tables = active_regimes(session)
    return [
        MatrixRow(nat, tuple(tables[s].entry_for(nat, day) for s in LAD_STATES))
        for nat in (nationalities or americas_nationalities())
    ]


def regime_label(regime: str) -> str:
    """The regime as a person reads it, in the current locale."""
    return gettext(REGIME_LABELS.get(regime, regime))


def _worded(msgid: str, entry: RegimeEntry) -> LocalizedText:
    texts = {}
    for language in LANGUAGES:
        with use_locale(language):
            texts[language] = gettext(
                msgid,
                state=country_name(entry.destination, language),
                nationality=country_name(entry.nationality, language),
                regime=regime_label(entry.regime.value),
            )
    return LocalizedText(**texts)


def entry_note(
    entry: RegimeEntry, residence: str | None, kind: PathwayKind
) -> LocalizedText | None:
    """What the entry regime means for a pathway of `entry.destination`: nothing
    for a person already living there or for a regularisation (it is done from
    inside); a reason when a visa is needed, stronger when it cannot be had."""
    if residence == entry.destination or kind is PathwayKind.REGULARISATION:
        return None
    if entry.blocks_entry:
        return _worded(ENTRY_BLOCKED, entry)
    return None


def add_entry_notes(
    results: Sequence[ScreeningResult],
    facts: Facts,
    tables: Mapping[str, RegimeTable],
    today: dt.date,
) -> list[ScreeningResult]:
    """Each result of a state whose entry regime bars the person's nationality at
    present gets that as a reason (the outcome is the pathway's own)."""
    nationality = facts.get("nationality")
    if not isinstance(nationality, str) or find_country(nationality) is None:
        return list(results)
    residence = facts.get("country_of_residence")
    where = residence if isinstance(residence, str) else None
    out = []
    for result in results:
        table = tables.get(result.state)
        note = (
            None
            if table is None
            else entry_note(table.entry_for(nationality, today), where, result.kind)
        )
        out.append(
            result
            if note is None
            else dataclasses.replace(result, reasons=(note, *result.reasons))
        )
    return out


def publish_entry_regimes(
    session: Session,
    *,
    actor: Actor,
    publication: Mapping[str, Any],
    today: dt.date | None = None,
) -> list[RegimeChange]:
    """Load one state's signed regimes (the signature must verify with the state's
    key; needs `pathway:publish` there), keep the earlier version as history and
    announce every nationality whose regime in force changed."""
    state = str(publication.get("state", ""))
    authorize(
        actor, "pathway:publish", tenant_code=state, sensitivity=Sensitivity.PUBLIC
    )
    table = verify_regime_publication(publication, shipped_public_keys())
    day = today or today_utc()
    before = active_regimes(session)
    for previous in session.scalars(
        select(EntryRegimeVersion).where(
            EntryRegimeVersion.tenant_code == state,
            EntryRegimeVersion.is_current.is_(True),
        )
    ):
        previous.is_current = False
    row = EntryRegimeVersion(
        tenant_code=state,
        version=table.version,
        published_on=table.published_on,
        key_id=str(publication["key_id"]),
        signature=str(publication["signature"]),
        document=dict(publication),
        is_current=True,
        loaded_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:entry_regimes:publish",
        tenant_code=state,
        object_type="pathway_entry_regime_version",
        object_id=row.id,
        version=row.version,
    )
    changes = regime_changes(
        {state: before[state]}, {state: table}, americas_nationalities(), day
    )
    for change in changes:
        events.publish(
            session,
            EntryRegimeChanged(
                destination=change.destination,
                nationality=change.nationality,
                previous=change.previous,
                regime=change.regime,
                on=day,
            ),
        )
    log.info("entry_regimes_loaded", state=state, changes=len(changes))
    return changes


def load_shipped_regimes(session: Session, *, actor: Actor) -> int:
    """Store the shipped signed regimes not yet held (demo and first start)."""
    added = 0
    for publication in shipped_regimes_document()["publications"]:
        exists = session.scalars(
            select(EntryRegimeVersion.id).where(
                EntryRegimeVersion.tenant_code == publication["state"],
                EntryRegimeVersion.version == publication["version"],
            )
        ).first()
        if exists is None:
            publish_entry_regimes(session, actor=actor, publication=publication)
            added += 1
    return added
