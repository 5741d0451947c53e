"""One catalogue of words for the codes people would otherwise see.

Every enum, flag, fact, event, status, unit, relationship and series dimension that
reaches a screen, an export or a message is named here, as a gettext message in
English (translated in the five catalogues). Screens use the `label` Jinja filter
(`{{ case.state | label("case_state") }}`); Python code calls `label(value, kind)`.
`tests/web/test_labels.py` enumerates every enum of the code base and fails when a
value has no label, or a label has no translation in any language.

An unknown value never shows as a raw code: it is worded from its parts
("other_relative" -> "Other relative") and logged (the code only, never data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Final

import structlog
from babel.numbers import format_decimal

from puente.commitments.rules.status import Status as CommitmentStatus
from puente.coordination.rules.codes import PopulationType
from puente.core import i18n
from puente.core.i18n import N_
from puente.early_warning import cap
from puente.early_warning.rules.plans import Kind as UnitKind
from puente.early_warning.rules.plans import SiteKind, TaskStatus
from puente.financing.rules.codes import (
    FlowStatus,
    InstrumentKind,
    OrganisationKind,
    PlanKind,
)
from puente.financing.rules.eligibility import Outcome as FinancingOutcome
from puente.identity.permissions import Role, can
from puente.pathways.rules.catalogue import PathwayKind
from puente.pathways.rules.eligibility import ClauseState
from puente.pathways.rules.eligibility import Outcome as PathwaysOutcome
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
from puente.reference import CountryNotFound, country_name, country_options
from puente.reference.specific_needs import CodeLevel
from puente.reference.specific_needs import Sensitivity as NeedSensitivity
from puente.web.templating import env

log = structlog.get_logger(__name__)

LABELS: Final[dict[str, Mapping[str, str]]] = {
    # ------------------------------------------------------------------ identity
    "role": {
        "caseworker": N_("Caseworker"),
        "protection_officer": N_("Protection officer"),
        "supervisor": N_("Supervisor"),
        "pathways_officer": N_("Pathways officer"),
        "employer": N_("Employer"),
        "analyst": N_("Analyst"),
        "coordinator": N_("Coordinator"),
        "focal_point": N_("State focal point"),
        "donor": N_("Donor"),
        "auditor": N_("Auditor"),
        "admin": N_("Administrator"),
    },
    # ------------------------------------------------------------------ people
    "sex": {"F": N_("Female"), "M": N_("Male"), "X": N_("Other"), "U": N_("Unknown")},
    "point_kind": {
        "border_post": N_("Border post"),
        "shelter": N_("Shelter"),
        "office": N_("Office"),
        "sea_rescue": N_("Sea rescue"),
        "detention": N_("Detention"),
        "outreach": N_("Outreach"),
    },
    "document_type": {
        "passport": N_("Passport"),
        "national_id": N_("National identity card"),
        "birth_certificate": N_("Birth certificate"),
        "unhcr_id": N_("UNHCR registration"),
        "temporary_permit": N_("Temporary permit"),
        "other": N_("Other document"),
    },
    "contact_kind": {
        "phone": N_("Phone"),
        "whatsapp": N_("WhatsApp"),
        "email": N_("Email"),
        "address": N_("Address"),
    },
    "relationship": {
        "head": N_("Head of household"),
        "spouse": N_("Spouse or partner"),
        "child": N_("Son or daughter"),
        "stepchild": N_("Stepchild"),
        "parent": N_("Father or mother"),
        "sibling": N_("Brother or sister"),
        "grandchild": N_("Grandchild"),
        "grandparent": N_("Grandparent"),
        "nephew_niece": N_("Nephew or niece"),
        "uncle_aunt": N_("Uncle or aunt"),
        "other_relative": N_("Other relative"),
        "not_related": N_("Not related"),
    },
    "household_kind": {
        "household": N_("Household"),
        "travelling_group": N_("Travelling group"),
    },
    "sensitive_kind": {
        "sogiesc": N_("Sexual orientation, gender identity or expression (LGBTQI+)"),
        "indigenous": N_("Indigenous people"),
        "afro_descendant": N_("Afro-descendant"),
        "gbv": N_("Gender-based violence"),
        "trafficking": N_("Trafficking"),
        "health": N_("Health"),
        "asylum_claim": N_("Asylum claim"),
        "refugee_status": N_("Refugee status"),
        "statelessness": N_("Statelessness"),
        "feared_states": N_("States the person fears"),
    },
    "consent_giver": {
        "subject": N_("The person"),
        "guardian": N_("Parent or guardian"),
    },
    "consent_method": {
        "verbal": N_("Verbal"),
        "written": N_("Written"),
        "assent": N_("Child's assent"),
    },
    "date_precision": {
        "year": N_("Year only"),
        "month": N_("Month and year"),
        "day": N_("Exact date"),
    },
    "date_compatibility": {
        "exact": N_("Same date"),
        "compatible": N_("Compatible dates"),
        "near": N_("Close dates"),
        "incompatible": N_("Different dates"),
        "unknown": N_("Unknown"),
    },
    "field_outcome": {
        "match": N_("Same"),
        "partial": N_("Partly the same"),
        "mismatch": N_("Different"),
        "blank": N_("Not recorded"),
    },
    "likelihood": {
        "likely": N_("Likely the same person"),
        "possible": N_("Possibly the same person"),
        "unlikely": N_("Unlikely the same person"),
    },
    # ------------------------------------------------------------------ protection
    "case_state": {
        "new": N_("New"),
        "assessment": N_("Assessment"),
        "case_plan": N_("Case plan"),
        "services": N_("Services"),
        "closure": N_("Closure"),
        "closed": N_("Closed"),
        "reopened": N_("Reopened"),
    },
    "approval_kind": {
        "assessment": N_("Assessment"),
        "case_plan": N_("Case plan"),
        "closure": N_("Closure"),
    },
    "case_type": {
        "general_protection": N_("General protection"),
        "child_protection": N_("Child protection"),
        "gbv": N_("Gender-based violence"),
        "trafficking": N_("Trafficking"),
        "statelessness": N_("Statelessness"),
    },
    "priority": {
        "emergency": N_("Emergency"),
        "urgent": N_("Urgent"),
        "normal": N_("Normal"),
    },
    "strength": {"strong": N_("Strong"), "medium": N_("Medium"), "weak": N_("Weak")},
    "trafficking_status": {
        "none": N_("No indication"),
        "possible": N_("Possible victim of trafficking"),
        "presumed": N_("Presumed victim of trafficking"),
    },
    "case_flag": {
        "immediate_danger": N_("In immediate danger"),
        "urgent_medical_need": N_("Urgent medical need"),
        "unaccompanied_child": N_("Unaccompanied child"),
        "separated_child": N_("Separated child"),
        "presumed_trafficking_victim": N_("Presumed victim of trafficking"),
        "trafficking_indicators": N_("Signs of trafficking"),
        "international_protection_need": N_("May need international protection"),
        "gbv_survivor": N_("Survivor of gender-based violence"),
        "torture_survivor": N_("Survivor of torture"),
        "detained": N_("Detained"),
        "woman_at_risk": N_("Woman at risk"),
        "older_person_at_risk": N_("Older person at risk"),
        "statelessness_risk": N_("At risk of statelessness"),
        "specific_needs_recorded": N_("Specific needs recorded"),
        "high_vulnerability": N_("High vulnerability"),
        "identity_based_risk": N_("Risk linked to identity"),
    },
    "case_event": {
        "opened": N_("Case opened"),
        "updated": N_("Summary or priority changed"),
        "moved": N_("Stage changed"),
        "approval_requested": N_("Approval requested"),
        "approval_approved": N_("Approved by the supervisor"),
        "approval_rejected": N_("Not approved by the supervisor"),
        "assigned": N_("Caseworker assigned"),
        "goal_added": N_("Goal added"),
        "task_added": N_("Task added"),
        "task_done": N_("Task done"),
        "note_added": N_("Note added"),
        "close_reason": N_("Reason for closing"),
        "bia_recorded": N_("Best interests assessment recorded"),
        "bid_recorded": N_("Best interests determination recorded"),
        "referred": N_("Referred to a service"),
        "referral_accepted": N_("Referral accepted"),
        "referral_declined": N_("Referral declined"),
        "referral_completed": N_("Referral completed"),
        "referral_consent_revoked": N_("Consent to the referral withdrawn"),
    },
    "service_type": {
        "shelter": N_("Shelter"),
        "health": N_("Health care"),
        "mental_health": N_("Mental health and psychosocial support"),
        "legal_aid": N_("Legal aid"),
        "child_protection": N_("Child protection"),
        "gbv_response": N_("Gender-based violence response"),
        "anti_trafficking": N_("Anti-trafficking assistance"),
        "asylum_information": N_("Asylum information"),
        "family_tracing": N_("Family tracing"),
        "cash_assistance": N_("Cash assistance"),
        "education": N_("Education"),
        "documentation": N_("Documentation"),
    },
    "referral_status": {
        "sent": N_("Sent"),
        "accepted": N_("Accepted"),
        "declined": N_("Declined"),
        "completed": N_("Completed"),
        "revoked": N_("Consent withdrawn"),
    },
    "procedure": {
        "none": N_("None"),
        "assessment": N_("Best interests assessment"),
        "determination": N_("Best interests determination"),
    },
    "child_decision": {
        "case_management": N_("Case management"),
        "temporary_care": N_("Temporary care"),
        "durable_solution": N_("Durable solution"),
        "return": N_("Return"),
        "separation_from_parents": N_("Separation from parents"),
    },
    "bid_recommendation": {
        "recommends_return": N_("Recommends return"),
        "against_return": N_("Recommends against return"),
        "other_solution": N_("Recommends another solution"),
    },
    "channel": {
        "referral": N_("Referral"),
        "export": N_("Export"),
        "consular_notification": N_("Consular notification"),
        "tracing": N_("Family tracing"),
        "exchange": N_("Exchange between states"),
        "aggregate": N_("Statistics"),
    },
    "consular_wish": {
        "not_yet_asked": N_("Not asked yet"),
        "requests": N_("Wants the consulate to be informed"),
        "declines": N_("Does not want the consulate to be informed"),
        "opposes": N_("Opposes any consular contact"),
    },
    "consular_action": {
        "notify": N_("Inform the consulate"),
        "do_not_notify": N_("Do not inform the consulate"),
    },
    "consular_reason": {
        "person_requested": N_("The person asked for it"),
        "person_declined": N_("The person declined"),
        "person_opposes": N_("The person opposes it"),
        "wish_not_recorded": N_("The person's wish is not recorded yet"),
        "protection_from_state": N_("The person may need protection from that state"),
        "national_of_detaining_state": N_("The person is a national of this state"),
    },
    "return_status": {
        "draft": N_("Draft: all safeguards pass"),
        "blocked": N_("Blocked by safeguards"),
        "approved": N_("Approved"),
        "overridden": N_("Approved by override"),
    },
    "tracing_status": {
        "open": N_("Open"),
        "forwarded": N_("Sent to the other state"),
        "matched": N_("Match found"),
        "closed": N_("Closed"),
    },
    "check_result": {"pass": N_("Passed"), "fail": N_("Blocked")},
    "return_fact": {
        "destination": N_("Destination"),
        "nationalities": N_("Nationalities"),
        "nationality_confirmed_by_destination": N_(
            "Nationality confirmed by the destination"
        ),
        "expressed_fear": N_("Expressed fear or a wish to seek asylum"),
        "fear_claim_decided": N_("Fear or asylum claim decided"),
        "claim_status": N_("Asylum claim"),
        "appeal_suspensive": N_("Appeal suspends the return"),
        "protection_status": N_("Protection status"),
        "competent_authority_exception": N_(
            "Exception decided by the competent authority"
        ),
        "expedited_procedure": N_("Expedited procedure"),
        "fear_screening_status": N_("Fear screening"),
        "fear_screening_notified": N_("Fear screening result given to the person"),
        "review_window_expired": N_("Time to ask for a review has passed"),
        "torture_risk_assessed": N_("Risk of torture assessed"),
        "torture_risk_found": N_("Risk of torture found"),
        "is_child": N_("Is a child"),
        "is_unaccompanied_or_separated": N_("Unaccompanied or separated child"),
        "bid_status": N_("Best interests determination"),
        "guardian_appointed": N_("Guardian appointed"),
        "child_heard": N_("Child heard"),
        "caregiver_confirmed": N_("Caregiver at destination confirmed"),
        "presumed_trafficking_victim": N_("Presumed victim of trafficking"),
        "reflection_period_ended": N_("Recovery and reflection period ended"),
        "retrafficking_risk_assessed": N_("Risk of re-trafficking assessed"),
        "is_stateless": N_("Stateless"),
        "statelessness_risk_open": N_("Statelessness risk not resolved"),
        "specific_needs": N_("Specific needs"),
        "protection_officer_signoff": N_("Protection officer signed off"),
        "consular_step_completed": N_("Consular step completed"),
        "travel_document_available": N_("Travel document available"),
        "readmission_accepted": N_("Readmission accepted"),
        "fit_to_travel": N_("Fit to travel"),
        "family_unity_respected": N_("Family unity respected"),
    },
    "claim_status": {
        "none": N_("None"),
        "pending": N_("Pending"),
        "appeal_pending": N_("Appeal pending"),
        "rejected_final": N_("Rejected, final"),
        "recognised": N_("Recognised"),
    },
    "return_protection_status": {
        "none": N_("None"),
        "refugee": N_("Refugee"),
        "complementary": N_("Complementary protection"),
        "temporary": N_("Temporary protection"),
    },
    "fear_screening_status": {
        "not_done": N_("Not done"),
        "positive": N_("Positive"),
        "negative": N_("Negative"),
    },
    "bid_status": {
        "none": N_("None"),
        "pending": N_("Pending"),
        "recommends_return": N_("Recommends return"),
        "against_return": N_("Recommends against return"),
    },
    "return_check": {
        "expressed_fear": N_("Expressed fear or wish to seek asylum"),
        "pending_claim": N_("Asylum claim pending"),
        "recognised_protection": N_("Recognised protection"),
        "fear_screening": N_("Fear screening"),
        "torture_risk": N_("Risk of torture"),
        "child_best_interests_determination": N_(
            "Child's best interests determination"
        ),
        "child_guardian_and_views": N_("Child's guardian and views"),
        "child_caregiver_confirmed": N_("Caregiver at destination confirmed"),
        "presumed_trafficking_victim": N_("Presumed victim of trafficking"),
        "nationality_confirmed": N_("Nationality confirmed"),
        "statelessness": N_("Statelessness"),
        "specific_needs_signoff": N_("Specific needs signed off"),
        "consular_step": N_("Consular step"),
        "travel_documents": N_("Travel documents"),
        "fit_to_travel": N_("Fit to travel"),
        "family_unity": N_("Family unity"),
    },
    "need_sensitivity": {
        "confidential": N_("Confidential"),
        "strictly_confidential": N_("Strictly confidential"),
    },
    "need_level": {"category": N_("Category"), "sub_code": N_("Specific need")},
    # ------------------------------------------------------------------ pathways
    "pathway_kind": {
        "labour": N_("Work"),
        "family": N_("Family"),
        "humanitarian": N_("Humanitarian"),
        "resettlement": N_("Resettlement"),
        "regularisation": N_("Regularisation"),
        "study": N_("Study"),
    },
    "application_status": {
        "active": N_("Active"),
        "needs_review": N_("Needs review"),
        "pathway_closed": N_("Pathway closed"),
        "approved": N_("Approved"),
        "refused": N_("Refused"),
        "withdrawn": N_("Withdrawn"),
    },
    "eligibility": {
        "eligible": N_("Eligible"),
        "not_eligible": N_("Not eligible"),
        "undetermined": N_("Not known yet"),
    },
    "clause_state": {
        "pass": N_("Met"),
        "fail": N_("Not met"),
        "unknown": N_("Not known yet"),
    },
    "protection_status": {
        "none": N_("None"),
        "asylum_seeker": N_("Asylum seeker"),
        "refugee": N_("Refugee"),
        "stateless": N_("Stateless"),
    },
    "family_relationship": {
        "spouse": N_("Spouse or partner"),
        "child": N_("Son or daughter"),
        "parent": N_("Father or mother"),
        "sibling": N_("Brother or sister"),
        "grandparent": N_("Grandparent"),
        "grandchild": N_("Grandchild"),
        "other": N_("Other relative"),
        "none": N_("None"),
    },
    "check_kind": {
        "automatic": N_("Checked automatically"),
        "attested": N_("Attested"),
    },
    "check_outcome": {
        "pass": N_("Passed"),
        "fail": N_("Failed"),
        "needs_attestation": N_("Needs an attestation"),
    },
    "payer": {"worker": N_("The worker"), "employer": N_("The employer")},
    "agreement": {
        "ibero_american": N_("Ibero-American Social Security Convention"),
        "caricom": N_("CARICOM Agreement on Social Security"),
    },
    "totalisation_basis": {
        "pro_rata": N_("Pro rata"),
        "autonomous": N_("Own right"),
        "none": N_("None"),
    },
    "pay_period": {
        "hourly": N_("Per hour"),
        "weekly": N_("Per week"),
        "biweekly": N_("Every two weeks"),
        "monthly": N_("Per month"),
        "yearly": N_("Per year"),
    },
    # ------------------------------------------------------------------ early warning
    "cap": {
        "Actual": N_("Actual"),
        "Exercise": N_("Exercise"),
        "System": N_("System"),
        "Test": N_("Test"),
        "Draft": N_("Draft"),
        "Alert": N_("Alert"),
        "Update": N_("Update"),
        "Cancel": N_("Cancel"),
        "Ack": N_("Acknowledgement"),
        "Error": N_("Error"),
        "Public": N_("Public"),
        "Restricted": N_("Restricted"),
        "Private": N_("Private"),
        "Geo": N_("Geophysical"),
        "Met": N_("Weather"),
        "Safety": N_("Safety"),
        "Security": N_("Security"),
        "Rescue": N_("Rescue"),
        "Fire": N_("Fire"),
        "Health": N_("Health"),
        "Env": N_("Environment"),
        "Transport": N_("Transport"),
        "Infra": N_("Infrastructure"),
        "CBRNE": N_("Chemical, biological, radiological, nuclear or explosive"),
        "Other": N_("Other"),
        "Shelter": N_("Shelter"),
        "Evacuate": N_("Evacuate"),
        "Prepare": N_("Prepare"),
        "Execute": N_("Execute"),
        "Avoid": N_("Avoid"),
        "Monitor": N_("Monitor"),
        "Assess": N_("Assess"),
        "AllClear": N_("All clear"),
        "None": N_("None"),
        "Immediate": N_("Immediate"),
        "Expected": N_("Expected"),
        "Future": N_("Future"),
        "Past": N_("Past"),
        "Observed": N_("Observed"),
        "Likely": N_("Likely"),
        "Possible": N_("Possible"),
        "Unlikely": N_("Unlikely"),
        "Unknown": N_("Unknown"),
        "Extreme": N_("Extreme"),
        "Severe": N_("Severe"),
        "Moderate": N_("Moderate"),
        "Minor": N_("Minor"),
    },
    "unit_kind": {
        "per_person_per_day": N_("per person per day"),
        "per_person_per_month": N_("per person per month"),
        "per_person": N_("per person"),
        "people_per_unit": N_("people per unit"),
    },
    "unit": {
        "L": N_("litres"),
        "desks": N_("desks"),
        "g": N_("grams"),
        "kcal": N_("kilocalories"),
        "m²": N_("square metres"),
        "spaces": N_("places"),
        "taps": N_("taps"),
        "toilets": N_("toilets"),
        "units": N_("units"),
    },
    "site_kind": {"transit": N_("Transit site"), "settlement": N_("Settlement site")},
    "task_status": {
        "open": N_("Open"),
        "in_progress": N_("In progress"),
        "done": N_("Done"),
    },
    "series_source": {
        "darien_nat": N_("Darién"),
        "darien_dmg": N_("Darién"),
        "mexico_nat": N_("Mexico"),
        "mexico_dmg": N_("Mexico"),
        "honduras_total": N_("Honduras"),
        "honduras_nat": N_("Honduras"),
        "guatemala_returns": N_("Returns to Guatemala"),
        "lighthouse": N_("IOM Lighthouse"),
    },
    "series_value": {
        "men": N_("men"),
        "women": N_("women"),
        "boys": N_("boys"),
        "girls": N_("girls"),
        "children": N_("children"),
        "adults": N_("adults"),
        "male": N_("men and boys"),
        "female": N_("women and girls"),
        "adult": N_("adults"),
        "minor": N_("children"),
        "18+": N_("adults"),
        "0-17": N_("children"),
        "unknown": N_("not recorded"),
    },
    "trigger_variable": {
        "arrivals_month": N_("Arrivals in the month"),
        "arrivals_prev_month": N_("Arrivals in the previous month"),
        "rolling_3m": N_("Arrivals over the last three months"),
        "growth_1m": N_("Change over one month"),
        "growth_3m": N_("Change over three months"),
        "growth_yoy": N_("Change over one year"),
        "share_of_total": N_("Share of all arrivals"),
        "per_100k": N_("Arrivals per 100,000 inhabitants"),
        "baseline": N_("Usual level for this month"),
        "months_of_data": N_("Months of data"),
        "c1_alarm": N_("Statistical alarm (C1)"),
        "c2_alarm": N_("Statistical alarm (C2)"),
        "c3_alarm": N_("Statistical alarm (C3)"),
        "cusum_alarm": N_("Sustained-rise alarm (CUSUM)"),
        "farrington_alarm": N_("Seasonal alarm (Farrington)"),
        "forecast_h1": N_("Forecast for next month"),
        "forecast_h1_lo80": N_("Forecast for next month, low end"),
        "forecast_h1_hi80": N_("Forecast for next month, high end"),
        "forecast_h1_hi95": N_("Forecast for next month, highest end"),
        "forecast_h3": N_("Forecast in three months"),
        "forecast_h3_hi80": N_("Forecast in three months, high end"),
        "p_exceed_5000": N_("Chance that next month exceeds 5,000"),
    },
    # ---------------------------------------------------- financing, coordination
    "flow_status": {
        "pledge": N_("Pledge"),
        "commitment": N_("Commitment"),
        "paid": N_("Paid"),
        "cancelled": N_("Cancelled"),
    },
    "instrument_kind": {
        "grant": N_("Grant"),
        "concessional_loan": N_("Concessional loan"),
        "loan": N_("Loan"),
        "loan_buydown": N_("Loan buy-down"),
        "guarantee": N_("Guarantee"),
    },
    "organisation_kind": {
        "government": N_("Government"),
        "multilateral": N_("Multilateral organisation"),
        "un_agency": N_("UN agency"),
        "development_bank": N_("Development bank"),
        "pooled_fund": N_("Pooled fund"),
        "ngo": N_("Non-governmental organisation"),
        "red_cross": N_("Red Cross or Red Crescent"),
        "private": N_("Private sector"),
        "other": N_("Other"),
    },
    "plan_kind": {
        "regional": N_("Regional plan"),
        "national": N_("National plan"),
        "early_warning": N_("Early-warning plan"),
    },
    "population_type": {
        "in_destination": N_("In destination"),
        "in_transit": N_("In transit"),
        "host_community": N_("Host community"),
        "returnees": N_("Returnees"),
    },
    "commitment_status": {
        "planned": N_("Planned"),
        "in_progress": N_("In progress"),
        "fulfilled": N_("Fulfilled"),
    },
}

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
    "puente.core.expressions.Truth": "expression engine result, worded by the caller",
    "puente.core.expressions.VarType": "expression engine type system",
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


def has_label(value: object, kind: str) -> bool:
    return str(value) in LABELS.get(kind, {})


def worded(code: str) -> str:
    """A last resort for a code with no label: its parts as words."""
    text = code.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else "—"


def label(value: object, kind: str) -> str:
    """The translated label of `value` in the catalogue `kind`."""
    if value is None or value == "":
        return "—"
    code = str(value.value if isinstance(value, Enum) else value)
    message = LABELS.get(kind, {}).get(code)
    if message is None:
        log.warning("label_missing", kind=kind, code=code)
        return worded(code)
    return i18n.gettext(message)


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, translated label) pairs for a <select>, in catalogue order."""
    return [(code, i18n.gettext(message)) for code, message in LABELS[kind].items()]


# ---------------------------------------------------------------------- sentences

PERCENT_VARIABLES: Final = frozenset(
    {"growth_1m", "growth_3m", "growth_yoy", "share_of_total"}
)
PROBABILITY_VARIABLES: Final = frozenset({"p_exceed_5000"})
_COMPARISON = re.compile(
    r"\b([a-z][a-z0-9_]*)\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)(?!\s*\*)"
)


def series_name(key: str, *, locale: str | None = None) -> str:
    """A series key in words: `darien_nat|nat=HTI` -> "Darién, Haiti"."""
    source, _, body = key.partition("|")
    parts = [label(source, "series_source")]
    if body and body != "*":
        for item in body.split(","):
            name, _, value = item.partition("=")
            if name in ("nat", "geo", "origin") and len(value) == 3 and value.isalpha():
                try:
                    parts.append(country_name(value.upper(), locale))
                except CountryNotFound:
                    parts.append(worded(value))
            else:
                parts.append(label(value, "series_value"))
    else:
        parts.append(i18n.gettext(N_("all arrivals")))
    return ", ".join(parts)


def _number(value: float, variable: str) -> str:
    locale = i18n.get_locale()
    if variable in PERCENT_VARIABLES:
        text = format_decimal(value * 100, format="#,##0", locale=locale)
        return ("+" if value > 0 else "") + text + " %"
    if variable in PROBABILITY_VARIABLES:
        return format_decimal(value * 100, format="#,##0", locale=locale) + " %"
    digits = "#,##0" if abs(value) >= 100 or float(value).is_integer() else "#,##0.##"
    return format_decimal(value, format=digits, locale=locale)


def trigger_explanation(condition: str, values: Mapping[str, object]) -> list[str]:
    """Why a trigger fired, one sentence per value, with units and thresholds:
    "Change over three months: +494 % (threshold +50 %)"."""
    thresholds: dict[str, tuple[str, float]] = {}
    for name, op, number in _COMPARISON.findall(condition or ""):
        thresholds.setdefault(name, (op, float(number)))
    lines: list[str] = []
    for name in sorted(values, key=lambda n: (n not in thresholds, n)):
        value = values[name]
        what = label(name, "trigger_variable")
        if isinstance(value, bool):
            shown = i18n.gettext(N_("yes")) if value else i18n.gettext(N_("no"))
            lines.append(
                i18n.gettext(N_("%(what)s: %(value)s"), what=what, value=shown)
            )
            continue
        if not isinstance(value, int | float):
            shown = "—" if value is None else worded(str(value))
            lines.append(
                i18n.gettext(N_("%(what)s: %(value)s"), what=what, value=shown)
            )
            continue
        shown = _number(float(value), name)
        if name in thresholds:
            op, limit = thresholds[name]
            word = {
                ">=": N_("at least %(limit)s"),
                ">": N_("more than %(limit)s"),
                "<=": N_("at most %(limit)s"),
                "<": N_("less than %(limit)s"),
                "==": N_("exactly %(limit)s"),
            }[op]
            rule = i18n.gettext(word, limit=_number(limit, name))
            lines.append(
                i18n.gettext(
                    N_("%(what)s: %(value)s (threshold: %(rule)s)"),
                    what=what,
                    value=shown,
                    rule=rule,
                )
            )
        else:
            lines.append(
                i18n.gettext(N_("%(what)s: %(value)s"), what=what, value=shown)
            )
    return lines


# What the detail of a case event holds, by event kind (None: nothing to show,
# e.g. a user id).
_EVENT_DETAIL: Final[dict[str, str | None]] = {
    "opened": "case_type",
    "approval_requested": "approval_kind",
    "approval_approved": "approval_kind",
    "approval_rejected": "approval_kind",
    "referred": "service_type",
    "bid_recorded": "bid_recommendation",
    "assigned": None,
}


def case_event_text(kind: str, detail: str | None = "") -> str:
    """A timeline entry in words: `moved`, `new>assessment` ->
    "Stage changed: New → Assessment"."""
    what = label(kind, "case_event")
    if not detail:
        return what
    if kind == "moved" and ">" in detail:
        before, _, after = detail.partition(">")
        return f"{what}: {label(before, 'case_state')} → {label(after, 'case_state')}"
    if kind == "close_reason":  # words the caseworker typed, shown as typed
        return f"{what}: {detail}"
    detail_kind = _EVENT_DETAIL.get(kind)
    if detail_kind is None:
        return what
    return f"{what}: {label(detail, detail_kind)}"


def country(code: str | None) -> str:
    """A country code in words, in the current locale; "—" when blank."""
    if not code:
        return "—"
    try:
        return country_name(code.strip().upper())
    except CountryNotFound:
        return code


def tenant(code: str | None) -> str:
    """Whose data: a state by name, or the regional hub."""
    if code == "HUB":
        return i18n.gettext(N_("Regional hub"))
    return country(code)


def _register_filters() -> None:
    env.filters["tenant"] = tenant
    env.globals["can"] = can
    env.globals["country_options"] = country_options
    env.filters["country"] = country
    env.globals["case_event_text"] = case_event_text
    env.filters["label"] = label
    env.filters["series_name"] = series_name
    env.globals["label_choices"] = choices
    env.globals["trigger_explanation"] = trigger_explanation


_register_filters()
