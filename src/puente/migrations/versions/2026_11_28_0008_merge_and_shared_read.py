"""Join the module branches; open aggregate and catalogue tables to regional readers.

Person-level tables stay walled to their tenant for everyone but system jobs. The
tables below hold aggregates (flows, triggers, alerts, response plans) or published,
region-wide material (pathway catalogue, job offers, employers, recruiters, recognition
decisions, workers who consented to region-wide matching): actors whose regional grants
cover them read them across tenants (`core.db.RlsScope`), and actors with a regional
write grant (coordinators) may write them.

Revision ID: 0008
Revises: 0003, 0005, 0006, 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from puente.core.rls import share_rls, unshare_rls

revision: str = "0008"
down_revision: str | Sequence[str] | None = ("0003", "0005", "0006", "0007")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARED_TABLES = (
    "flow_source",
    "flow_source_profile",
    "flow_vintage",
    "flow_series",
    "trigger_catalogue",
    "trigger_adoption",
    "trigger_firing",
    "alert",
    "alert_message",
    "response_plan",
    "plan_site",
    "plan_line",
    "plan_task",
    "pathway_catalogue_version",
    "pathway_state",
    "pathway_employer",
    "pathway_recruiter",
    "pathway_job_offer",
    "pathway_offer_attestation",
    "pathway_recognition_decision",
    "pathway_regulated_occupation",
    "pathway_worker",
)


def upgrade() -> None:
    for table in SHARED_TABLES:
        share_rls(table)


def downgrade() -> None:
    for table in SHARED_TABLES:
        unshare_rls(table)
