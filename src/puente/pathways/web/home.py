"""The pathways officer's panel on the home page: the applications waiting for
them (open, or needing a review after a re-screen) and the employers'
attestations waiting for a review, each linking to its list."""

from __future__ import annotations

from sqlalchemy.orm import Session

from puente.identity import Actor
from puente.pathways import service
from puente.pathways.rules.stages import ApplicationStatus
from puente.web.templating import HomePanel, HomePanelView, register_panel


def officer_panel(session: Session, actor: Actor) -> HomePanelView | None:
    """Counts for officers who follow applications (attestations only for those
    who review them)."""
    open_now = service.list_applications(
        session, actor=actor, status=ApplicationStatus.ACTIVE, limit=5000
    )
    review = service.list_applications(
        session, actor=actor, status=ApplicationStatus.NEEDS_REVIEW, limit=5000
    )
    reviewer = service.is_reviewer(actor)
    attestations = service.attestation_queue(session, actor=actor) if reviewer else []
    return HomePanelView(
        template="pathways/_home_officer.html",
        context={
            "open": len(open_now),
            "review": len(review),
            "attestations": len(attestations) if reviewer else None,
        },
    )


register_panel(
    HomePanel("pathways:officer", "application:write", officer_panel, order=6)
)
