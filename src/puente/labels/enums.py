"""Which label list names each enum's values, and the enums no person sees."""

from __future__ import annotations

from enum import Enum
from typing import Final

import structlog

from puente.commitments.rules.status import Status as CommitmentStatus
from puente.coordination.rules.codes import PopulationType
from puente.early_warning.rules import cap
from puente.early_warning.rules.plans import Kind as UnitKind
from puente.early_warning.rules.plans import SiteKind, TaskStatus
from puente.financing.rules.codes import (
    FlowStatus,
    InstrumentKind,
    OrganisationKind,
    PlanKind,
)
from puente.financing.rules.eligibility import Outcome as FinancingOutcome
from puente.identity import Role
from puente.pathways.rules.catalogue import PathwayKind
from puente.pathways.rules.eligibility import ClauseState
from puente.pathways.rules.eligibility import Outcome as PathwaysOutcome
from puente.pathways.rules.entry_regimes import EntryRegime
from puente.pathways.rules.facts import FamilyRelationship, ProtectionStatus
from puente.pathways.rules.fair_recruitment import CheckKind, CheckOutcome
from puente.pathways.rules.offers import Payer
from puente.pathways.rules.stages import ApplicationStatus
from puente.pathways.rules.totalisation import Agreement, Basis
from puente.people.rules.birth_dates import DateCompatibility, DatePrecision
from puente.people.rules.matching import FieldOutcome, Likelihood
from puente.people.schemas import (
    ConsentGiver,
    ConsentMethod,
    ContactKind,
    DocumentType,
    HouseholdKind,
    PointKind,
    Relationship,
    SensitiveKind,
    Sex,
)
from puente.protection.rules.best_interests import (
    BidRecommendation,
    ChildDecision,
    Procedure,
)
from puente.protection.rules.disclosure import (
    Channel,
    ConsularAction,
    ConsularReason,
    ConsularWish,
)
from puente.protection.rules.returns import CheckResultKind
from puente.protection.rules.screening import Priority, Strength, TraffickingStatus
from puente.protection.rules.workflow import ApprovalKind, CaseState
from puente.reference.specific_needs import CodeLevel
from puente.reference.specific_needs import Sensitivity as NeedSensitivity

log = structlog.get_logger(__name__)


ENUM_KINDS: Final[dict[type[Enum], str | tuple[str, ...]]] = {
    Role: "role",
    Sex: "sex",
    PointKind: "point_kind",
    DocumentType: "document_type",
    ContactKind: "contact_kind",
    Relationship: "relationship",
    HouseholdKind: "household_kind",
    SensitiveKind: "sensitive_kind",
    ConsentGiver: "consent_giver",
    ConsentMethod: "consent_method",
    DatePrecision: "date_precision",
    DateCompatibility: "date_compatibility",
    FieldOutcome: "field_outcome",
    Likelihood: "likelihood",
    CaseState: "case_state",
    ApprovalKind: "approval_kind",
    Priority: "priority",
    Strength: "strength",
    TraffickingStatus: "trafficking_status",
    Procedure: "procedure",
    ChildDecision: "child_decision",
    BidRecommendation: "bid_recommendation",
    Channel: "channel",
    ConsularWish: "consular_wish",
    ConsularAction: "consular_action",
    ConsularReason: "consular_reason",
    CheckResultKind: "check_result",
    NeedSensitivity: "need_sensitivity",
    CodeLevel: "need_level",
    PathwayKind: "pathway_kind",
    EntryRegime: "entry_regime",
    ApplicationStatus: "application_status",
    PathwaysOutcome: "eligibility",
    FinancingOutcome: "eligibility",
    ClauseState: "clause_state",
    ProtectionStatus: "protection_status",
    FamilyRelationship: "family_relationship",
    CheckKind: "check_kind",
    CheckOutcome: "check_outcome",
    Payer: "payer",
    Agreement: "agreement",
    Basis: "totalisation_basis",
    cap.Status: "cap",
    cap.MsgType: "cap",
    cap.Scope: "cap",
    cap.Category: "cap",
    cap.ResponseType: "cap",
    cap.Urgency: "cap",
    cap.Severity: "cap",
    cap.Certainty: "cap",
    UnitKind: "unit_kind",
    SiteKind: "site_kind",
    TaskStatus: "task_status",
    FlowStatus: "flow_status",
    InstrumentKind: "instrument_kind",
    OrganisationKind: "organisation_kind",
    PlanKind: "plan_kind",
    PopulationType: "population_type",
    CommitmentStatus: "commitment_status",
}

# Enums that never reach a person: engine settings, expression types, probe kinds,
# ordinal levels shown through their own words. Each has a reason.
TECHNICAL_ENUMS: Final[dict[str, str]] = {
    "puente.core.expressions.engine.Truth": "expression result, worded by the caller",
    "puente.core.expressions.types.VarType": "expression engine type system",
    "puente.identity.permissions.Scope": "ordinal scope level; worded by role",
    "puente.identity.permissions.Sensitivity": "ordinal ceiling; never shown",
    "puente.linkage.evaluate.Mode": "command-line option of the linkage benchmark",
    "puente.linkage.pprl.encoder.Hardening": "encoder setting, command line only",
    "puente.linkage.pprl.encoder.Salt": "encoder setting, command line only",
    "puente.linkage.splink_model.Backend": "engine setting, command line only",
    "puente.pathways.rules.messages.ParamKind": "how a message parameter is formatted",
    "puente.pathways.rules.facts.FactType": "fact value type; the form shows a widget",
    "puente.people.repository.ProbeKind": "search index internals",
    "puente.reference.countries.CodeKind": "country code provenance; names are shown",
    "puente.financing.rules.totals.Boundary": "flow boundary used in totals only",
}
