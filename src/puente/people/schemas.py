"""Pydantic shapes of the people module: what comes in, what goes out."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from puente.core.inputs import Moment
from puente.people.rules.birth_dates import InvalidPartialDate, parse_partial_date

_ISO3 = re.compile(r"^[A-Z]{3}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"
    UNKNOWN = "U"


class PointKind(StrEnum):
    """Where a person was identified or registered."""

    BORDER_POST = "border_post"
    SHELTER = "shelter"
    OFFICE = "office"
    SEA_RESCUE = "sea_rescue"
    DETENTION = "detention"
    OUTREACH = "outreach"


class DocumentType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    BIRTH_CERTIFICATE = "birth_certificate"
    UNHCR_ID = "unhcr_id"
    TEMPORARY_PERMIT = "temporary_permit"
    OTHER = "other"


class ContactKind(StrEnum):
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    ADDRESS = "address"


class Relationship(StrEnum):
    """A member's relationship to the head of the household or group."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    STEPCHILD = "stepchild"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDCHILD = "grandchild"
    GRANDPARENT = "grandparent"
    NEPHEW_NIECE = "nephew_niece"
    UNCLE_AUNT = "uncle_aunt"
    OTHER_RELATIVE = "other_relative"
    NOT_RELATED = "not_related"


class HouseholdKind(StrEnum):
    HOUSEHOLD = "household"
    TRAVELLING_GROUP = "travelling_group"


class SensitiveKind(StrEnum):
    """Facts encrypted per person, asked only with consent, read only by roles
    whose sensitivity ceiling allows it, every read audited."""

    SOGIESC = "sogiesc"  # sexual orientation, gender identity and expression
    INDIGENOUS = "indigenous"
    AFRO_DESCENDANT = "afro_descendant"
    GBV = "gbv"
    TRAFFICKING = "trafficking"
    HEALTH = "health"
    ASYLUM_CLAIM = "asylum_claim"
    REFUGEE_STATUS = "refugee_status"
    STATELESSNESS = "statelessness"
    # ISO3 codes of the states the person fears, comma separated (DP-1 input)
    FEARED_STATES = "feared_states"


# Kinds whose mere presence makes a person "protected" for DP-1.
PROTECTION_KINDS = frozenset(
    {
        SensitiveKind.ASYLUM_CLAIM,
        SensitiveKind.REFUGEE_STATUS,
        SensitiveKind.STATELESSNESS,
        SensitiveKind.FEARED_STATES,
    }
)


class ConsentGiver(StrEnum):
    SUBJECT = "subject"
    GUARDIAN = "guardian"


class ConsentMethod(StrEnum):
    VERBAL = "verbal"
    WRITTEN = "written"
    ASSENT = "assent"


def _iso3(value: str) -> str:
    code = value.strip().upper()
    if not _ISO3.match(code):
        raise ValueError("must be an ISO 3166 alpha-3 code, e.g. VEN")
    return code


def _optional_iso3(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return _iso3(value)


def _birth_date(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return parse_partial_date(
            value, today=dt.datetime.now(dt.UTC).date()
        ).isoformat()
    except InvalidPartialDate:
        raise ValueError(
            "must be YYYY, YYYY-MM or YYYY-MM-DD, not in the future"
        ) from None


def _iso3_list(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    return sorted({_iso3(code) for code in value if code.strip()})


def _language_list(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    codes = [code.strip().lower() for code in value if code.strip()]
    for code in codes:
        if not _LANGUAGE.match(code):
            raise ValueError("must be ISO 639 codes, e.g. es, ht")
    return list(dict.fromkeys(codes))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DocumentCreate(_In):
    document_type: DocumentType
    number: Annotated[str, Field(min_length=1, max_length=60)]
    issuing_state: str | None = None

    _state = field_validator("issuing_state")(_optional_iso3)


class ContactCreate(_In):
    kind: ContactKind
    value: Annotated[str, Field(min_length=1, max_length=300)]


class RegistrationCreate(_In):
    point_kind: PointKind = PointKind.OFFICE
    place: Annotated[str, Field(max_length=200)] = ""
    registered_at: Moment | None = None

    @field_validator("registered_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone")
        return value


class PersonCreate(_In):
    given_name: Annotated[str, Field(min_length=1, max_length=200)]
    family_name: Annotated[str, Field(min_length=1, max_length=200)]
    sex: Sex
    birth_date: str | None = Field(
        default=None, description="YYYY-MM-DD, or YYYY-MM / YYYY when partly known"
    )
    nationality: str | None = Field(default=None, description="ISO 3166 alpha-3")
    other_nationalities: list[str] = Field(default_factory=list, max_length=5)
    country_of_birth: str | None = None
    habitual_residence: str | None = None
    languages: list[str] = Field(default_factory=list, max_length=8)
    consent_to_tracing: bool = False
    registration: RegistrationCreate | None = None
    documents: list[DocumentCreate] = Field(default_factory=list, max_length=5)
    contacts: list[ContactCreate] = Field(default_factory=list, max_length=5)

    _date = field_validator("birth_date")(_birth_date)
    _countries = field_validator(
        "nationality", "country_of_birth", "habitual_residence"
    )(_optional_iso3)

    @field_validator("sex", mode="before")
    @classmethod
    def _sex_upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    _others = field_validator("other_nationalities")(_iso3_list)
    _languages = field_validator("languages")(_language_list)


class PersonUpdate(_In):
    """A partial edit; `expected_version` is the version the editor saw."""

    expected_version: int
    given_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    family_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    sex: Sex | None = None
    birth_date: str | None = None
    nationality: str | None = None
    other_nationalities: list[str] | None = None
    country_of_birth: str | None = None
    habitual_residence: str | None = None
    languages: list[str] | None = None
    consent_to_tracing: bool | None = None
    # Why a nationality or former residence of a protected person is replaced or
    # removed (a withdrawal of a protection fact): kept encrypted by protection,
    # never in the audit log.
    change_reason: Annotated[str, Field(max_length=1000)] | None = None

    _date = field_validator("birth_date")(_birth_date)
    _countries = field_validator(
        "nationality", "country_of_birth", "habitual_residence"
    )(_optional_iso3)
    _others = field_validator("other_nationalities")(_iso3_list)
    _languages = field_validator("languages")(_language_list)

    @field_validator("sex", mode="before")
    @classmethod
    def _sex_upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


class DocumentRead(BaseModel):
    id: uuid.UUID
    document_type: str
    number_hint: str
    issuing_state: str | None


class ContactRead(BaseModel):
    id: uuid.UUID
    kind: str
    value: str


class RegistrationRead(BaseModel):
    id: uuid.UUID
    point_kind: str
    place: str
    registered_at: dt.datetime
    registered_by: uuid.UUID | None


class PersonRead(BaseModel):
    id: uuid.UUID
    tenant_code: str
    organisation_id: uuid.UUID | None
    given_name: str
    family_name: str
    sex: str
    birth_date: str | None
    birth_precision: str | None
    age: int | None
    nationality: str | None
    other_nationalities: list[str]
    country_of_birth: str | None
    habitual_residence: str | None
    languages: list[str]
    consent_to_tracing: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    documents: list[DocumentRead] = Field(default_factory=list)
    contacts: list[ContactRead] = Field(default_factory=list)
    registrations: list[RegistrationRead] = Field(default_factory=list)


class PersonSummary(BaseModel):
    """A row of a list: no contacts, no documents."""

    id: uuid.UUID
    given_name: str
    family_name: str
    sex: str
    birth_date: str | None
    nationality: str | None
    consent_to_tracing: bool
    created_at: dt.datetime


class PersonFilter(_In):
    name: Annotated[str, Field(max_length=100)] = ""
    nationality: str | None = None
    sex: Sex | None = None
    consent_to_tracing: bool | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    # Order: newest registration first unless asked (name, birth date).
    sort: Literal["registered", "name", "birth"] = "registered"
    descending: bool = True

    _country = field_validator("nationality")(_optional_iso3)

    @field_validator("sex", mode="before")
    @classmethod
    def _sex_upper(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().upper() or None
        return value


class PersonPage(BaseModel):
    items: list[PersonSummary]
    total: int
    limit: int
    offset: int


class SearchQuery(_In):
    """Search before create. `q` is a whole name when given and family names are
    not known apart; `only_tracing_consent` is what family tracing sets."""

    q: Annotated[str, Field(max_length=200)] = ""
    given_name: Annotated[str, Field(max_length=200)] = ""
    family_name: Annotated[str, Field(max_length=200)] = ""
    birth_date: str | None = None
    sex: Sex | None = None
    nationality: str | None = None
    document_number: Annotated[str, Field(max_length=60)] = ""
    only_tracing_consent: bool = False
    limit: Annotated[int, Field(ge=1, le=50)] = 10

    _date = field_validator("birth_date")(_birth_date)
    _country = field_validator("nationality")(_optional_iso3)

    @field_validator("sex", mode="before")
    @classmethod
    def _sex_upper(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().upper() or None
        return value

    @property
    def is_empty(self) -> bool:
        return not (
            self.q.strip()
            or self.given_name.strip()
            or self.family_name.strip()
            or self.document_number.strip()
        )


class FieldComparisonRead(BaseModel):
    field: str
    outcome: str
    similarity: float
    weight: float
    detail: str


class Candidate(BaseModel):
    """A registered person who may be the one searched for, with the evidence."""

    person_id: uuid.UUID
    given_name: str
    family_name: str
    sex: str
    birth_date: str | None
    nationality: str | None
    score: float
    coverage: float
    likelihood: str
    fields: list[FieldComparisonRead]


class HouseholdMemberIn(_In):
    person_id: uuid.UUID
    relationship: Relationship
    is_caregiver: bool = False
    is_separated: bool = False


class HouseholdCreate(_In):
    kind: HouseholdKind = HouseholdKind.HOUSEHOLD
    members: list[HouseholdMemberIn] = Field(min_length=1, max_length=30)


class NewMember(_In):
    """One person of a family registered in one flow."""

    person: PersonCreate
    relationship: Relationship
    is_caregiver: bool = False
    is_separated: bool = False
    link_to: uuid.UUID | None = None  # an existing record chosen in search


class HouseholdRegistration(_In):
    kind: HouseholdKind = HouseholdKind.HOUSEHOLD
    registration: RegistrationCreate | None = None
    members: list[NewMember] = Field(min_length=1, max_length=30)


class HouseholdMemberRead(BaseModel):
    person_id: uuid.UUID
    given_name: str
    family_name: str
    sex: str
    birth_date: str | None
    age: int | None
    relationship: str
    is_caregiver: bool
    is_separated: bool


class HouseholdRead(BaseModel):
    id: uuid.UUID
    tenant_code: str
    kind: str
    head_person_id: uuid.UUID | None
    created_at: dt.datetime
    members: list[HouseholdMemberRead]


class ConsentIn(_In):
    """Consent to record a sensitive fact: who gave it, how, for what purpose."""

    given_by: ConsentGiver = ConsentGiver.SUBJECT
    method: ConsentMethod = ConsentMethod.VERBAL
    purpose: Annotated[str, Field(min_length=1, max_length=40)] = "protection"


class SensitiveCreate(_In):
    attribute: SensitiveKind
    value: Annotated[str, Field(min_length=1, max_length=2000)]
    consent: ConsentIn


class SensitiveRecorded(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    attribute: str
    recorded_at: dt.datetime


class SensitiveRead(BaseModel):
    attribute: str
    value: str
    recorded_at: dt.datetime
    recorded_by: uuid.UUID | None
    consent_given_by: str
    consent_method: str
    consent_purpose: str
    consent_given_at: dt.datetime


class PersonProtectionFacts(BaseModel):
    """What protection needs about a person (disclosure rule, screening, returns).

    `age` is the youngest age the birth date allows: an uncertain age counts as
    a child (presumption of minority). Flags come from the presence of encrypted
    attributes, never from their values.
    """

    person_id: uuid.UUID
    tenant_code: str
    sex: str
    nationality: str | None
    other_nationalities: frozenset[str]
    country_of_birth: str | None
    habitual_residence: str | None
    birth_date: str | None
    age: int | None
    age_max: int | None
    is_child: bool | None
    has_asylum_claim: bool
    is_refugee: bool
    is_stateless: bool
    has_protection_flag: bool
    persecutor_states: frozenset[str]
    consent_to_tracing: bool

    @property
    def nationalities(self) -> frozenset[str]:
        found = set(self.other_nationalities)
        if self.nationality:
            found.add(self.nationality)
        return frozenset(found)

    def disclosure_fields(self) -> dict[str, Any]:
        """Keyword arguments of `protection.rules.disclosure.ProtectionFacts`."""
        return {
            "nationalities": self.nationalities,
            "country_of_origin": self.country_of_birth or self.nationality,
            "former_habitual_residences": frozenset(
                {self.habitual_residence} if self.habitual_residence else set()
            ),
            "persecutor_states": self.persecutor_states,
            "has_asylum_claim": self.has_asylum_claim,
            "is_refugee": self.is_refugee,
            "is_stateless": self.is_stateless,
            "has_protection_flag": self.has_protection_flag,
        }


# --- duplicate review queue ------------------------------------------------------


class DuplicateScan(BaseModel):
    persons: int
    pairs_compared: int
    candidates_new: int
    model_trained: bool


class DuplicateCandidateRead(BaseModel):
    id: uuid.UUID
    status: str
    probability: float
    found_at: dt.datetime
    person_a: PersonSummary
    person_b: PersonSummary
    fields: list[FieldComparisonRead]


class MergeIn(BaseModel):
    keep_person_id: uuid.UUID


class MergeRead(BaseModel):
    id: uuid.UUID
    kept_person_id: uuid.UUID
    merged_person_id: uuid.UUID
    moved: int
    merged_at: dt.datetime
    undone_at: dt.datetime | None


class RemoteCandidateRead(BaseModel):
    """Another state's answer: an opaque reference, never a name."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    state: str
    reference: str
    score: float
    likelihood: str
    decision: str


class RemoteCheckRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    state: str
    status: str  # pending | unreachable | answered
    requested_at: dt.datetime
    answered_at: dt.datetime | None
    candidates: list[RemoteCandidateRead]


class RemoteDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    same_person: bool
