"""The facts vocabulary: what a person may tell us, typed, and how it reaches CEL.

Every pathway rule is a CEL expression over these names (plus the reserved `today`).
A fact that is absent (or null) is *missing*, never false: screening turns it into
"undetermined" and asks for it. `docs/pathways-facts.md` documents each fact; a test
keeps the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from puente.core.i18n import N_
from puente.pathways.errors import FactsError

LANGUAGES: tuple[str, ...] = ("en", "es", "pt", "fr", "ht")

FactValue = int | bool | str | date | tuple[str, ...]
CelValue = int | bool | str | tuple[str, ...]


class FactType(StrEnum):
    INTEGER = "integer"
    BOOLEAN = "boolean"
    ISO3 = "iso3"
    ISO3_LIST = "iso3_list"
    DATE = "date"
    ISCO = "isco08"
    ENUM = "enum"
    CEFR = "cefr"
    ISCED = "isced"
    SUBDIVISION = "iso3166_2"
    TAG_LIST = "tag_list"


class ProtectionStatus(StrEnum):
    NONE = "none"
    ASYLUM_SEEKER = "asylum_seeker"
    REFUGEE = "refugee"
    STATELESS = "stateless"


class FamilyRelationship(StrEnum):
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    OTHER = "other"
    NONE = "none"


CEFR_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2")

_ISO3 = re.compile(r"^[A-Z]{3}$")
_ISCO = re.compile(r"^[0-9]{4}$")
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,79}$")
_MAX_LIST = 50


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One fact of the vocabulary. `ask` is a noun phrase for "we need ___": an
    English msgid, translated where it is shown."""

    name: str
    type: FactType
    meaning: str
    example: str
    ask: str
    values: tuple[str, ...] = ()
    computed_from: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


_SPECS: tuple[FactSpec, ...] = (
    FactSpec(
        "age",
        FactType.INTEGER,
        "Age in whole years.",
        "34",
        N_("your age"),
        minimum=0,
        maximum=130,
    ),
    FactSpec(
        "nationality",
        FactType.ISO3,
        "Nationality, ISO 3166-1 alpha-3 (`XXA` for stateless).",
        '"VEN"',
        N_("your nationality"),
    ),
    FactSpec(
        "country_of_residence",
        FactType.ISO3,
        "State where the person lives now, ISO 3166-1 alpha-3.",
        '"COL"',
        N_("the country where you live"),
    ),
    FactSpec(
        "subdivision_of_residence",
        FactType.SUBDIVISION,
        "Province or state of residence, ISO 3166-2 (e.g. Roraima is `BR-RR`).",
        '"BR-RR"',
        N_("the province or state where you live"),
    ),
    FactSpec(
        "date_of_entry",
        FactType.DATE,
        "Date of (last) entry into the country of residence, ISO 8601.",
        '"2020-03-15"',
        N_("your date of entry"),
    ),
    FactSpec(
        "years_of_residence",
        FactType.INTEGER,
        "Computed: whole years from `date_of_entry` to the screening date. "
        "Not an input.",
        "6",
        N_("your date of entry"),
        computed_from=("date_of_entry",),
    ),
    FactSpec(
        "entered_regularly",
        FactType.BOOLEAN,
        "Entered the country of residence through an official port of entry with "
        "inspection.",
        "true",
        N_("whether you entered through an official border post"),
    ),
    FactSpec(
        "has_regular_status",
        FactType.BOOLEAN,
        "Holds a valid residence permit or status in the country of residence now.",
        "false",
        N_("whether you have a valid permit where you live"),
    ),
    FactSpec(
        "has_passport",
        FactType.BOOLEAN,
        "Holds a valid passport.",
        "true",
        N_("whether you have a valid passport"),
    ),
    FactSpec(
        "has_national_id",
        FactType.BOOLEAN,
        "Holds a national identity document of the country of nationality.",
        "true",
        N_("whether you have a national identity card"),
    ),
    FactSpec(
        "has_criminal_record",
        FactType.BOOLEAN,
        "Has a criminal conviction anywhere (as the person declares it).",
        "false",
        N_("whether you have a criminal record"),
    ),
    FactSpec(
        "protection_status",
        FactType.ENUM,
        "Protection situation: `none`, `asylum_seeker`, `refugee` or `stateless`.",
        '"asylum_seeker"',
        N_("your protection status (asylum, refugee, stateless)"),
        values=tuple(s.value for s in ProtectionStatus),
    ),
    FactSpec(
        "has_unhcr_referral",
        FactType.BOOLEAN,
        "Referred for resettlement by UNHCR (or a recognised referral partner).",
        "false",
        N_("whether UNHCR has referred you for resettlement"),
    ),
    FactSpec(
        "has_job_offer",
        FactType.BOOLEAN,
        "Has a concrete job offer from an employer.",
        "true",
        N_("whether you have a job offer"),
    ),
    FactSpec(
        "job_offer_isco",
        FactType.ISCO,
        "ISCO-08 unit group (4 digits) of the job offered.",
        '"9211"',
        N_("the occupation of your job offer"),
    ),
    FactSpec(
        "job_offer_state",
        FactType.ISO3,
        "State where the offered job is, ISO 3166-1 alpha-3.",
        '"USA"',
        N_("the country of your job offer"),
    ),
    FactSpec(
        "job_offer_subdivision",
        FactType.SUBDIVISION,
        "Province or state of the offered job, ISO 3166-2.",
        '"MX-CHP"',
        N_("the province or state of your job offer"),
    ),
    FactSpec(
        "occupation_isco",
        FactType.ISCO,
        "The person's own main occupation, ISCO-08 unit group.",
        '"6111"',
        N_("your occupation"),
    ),
    FactSpec(
        "years_experience",
        FactType.INTEGER,
        "Years of experience in the main occupation.",
        "5",
        N_("your years of work experience"),
        minimum=0,
        maximum=80,
    ),
    FactSpec(
        "skills",
        FactType.TAG_LIST,
        "Skill tags (ESCO skill codes or lowercase tags such as `pruning`).",
        '["harvesting", "pruning"]',
        N_("your skills"),
    ),
    FactSpec(
        "education_level",
        FactType.ISCED,
        "Highest completed education, ISCED 2011 level 0–8 (6 = bachelor's).",
        "3",
        N_("your highest level of education"),
        minimum=0,
        maximum=8,
    ),
    FactSpec(
        "cefr_en",
        FactType.CEFR,
        "English level on the CEFR scale (A1–C2).",
        '"B1"',
        N_("your level of English"),
        values=CEFR_LEVELS,
    ),
    FactSpec(
        "cefr_es",
        FactType.CEFR,
        "Spanish level on the CEFR scale (A1–C2).",
        '"C2"',
        N_("your level of Spanish"),
        values=CEFR_LEVELS,
    ),
    FactSpec(
        "cefr_pt",
        FactType.CEFR,
        "Portuguese level on the CEFR scale (A1–C2).",
        '"A2"',
        N_("your level of Portuguese"),
        values=CEFR_LEVELS,
    ),
    FactSpec(
        "cefr_fr",
        FactType.CEFR,
        "French level on the CEFR scale (A1–C2).",
        '"B2"',
        N_("your level of French"),
        values=CEFR_LEVELS,
    ),
    FactSpec(
        "family_in",
        FactType.ISO3_LIST,
        "States where close family (spouse, child, parent, sibling, grandparent, "
        "grandchild) lives, ISO 3166-1 alpha-3. An empty list means nowhere.",
        '["USA", "CAN"]',
        N_("the countries where your close family lives"),
    ),
    FactSpec(
        "family_relationship",
        FactType.ENUM,
        "Closest relationship to a family member living in one of `family_in`.",
        '"parent"',
        N_("how you are related to your family abroad"),
        values=tuple(r.value for r in FamilyRelationship),
    ),
    FactSpec(
        "family_sponsor_status",
        FactType.ENUM,
        "Status of that family member in their state: `citizen`, "
        "`permanent_resident`, `temporary_resident` or `none`.",
        '"citizen"',
        N_("the immigration status of your family member abroad"),
        values=("citizen", "permanent_resident", "temporary_resident", "none"),
    ),
    FactSpec(
        "has_approved_family_petition",
        FactType.BOOLEAN,
        "A family-based immigrant petition filed for the person has been approved "
        "(for the US: Form I-130).",
        "true",
        N_("whether a family petition for you has been approved"),
    ),
    FactSpec(
        "sponsor_in_us",
        FactType.BOOLEAN,
        "Has a financial supporter in the United States willing to file for them.",
        "false",
        N_("whether you have a supporter in the United States"),
    ),
    FactSpec(
        "is_vaccinated",
        FactType.BOOLEAN,
        "Vaccination card up to date for the destination's public-health requirements.",
        "true",
        N_("whether your vaccinations are up to date"),
    ),
    FactSpec(
        "accepts_relocation",
        FactType.BOOLEAN,
        "Agrees, freely, to relocate to another city or region.",
        "true",
        N_("whether you agree to move to another city"),
    ),
    FactSpec(
        "is_student_admitted",
        FactType.BOOLEAN,
        "Holds an admission letter from an education institution in the destination.",
        "false",
        N_("whether a school or university has admitted you"),
    ),
)

FACTS: Mapping[str, FactSpec] = MappingProxyType({s.name: s for s in _SPECS})
FACT_VALUE_LABELS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("protection_status", "none"): N_("No need of international protection"),
        ("protection_status", "asylum_seeker"): N_("Asylum seeker"),
        ("protection_status", "refugee"): N_("Refugee"),
        ("protection_status", "stateless"): N_("Stateless"),
        ("family_relationship", "spouse"): N_("Spouse or partner"),
        ("family_relationship", "child"): N_("Child"),
        ("family_relationship", "parent"): N_("Parent"),
        ("family_relationship", "sibling"): N_("Brother or sister"),
        ("family_relationship", "grandparent"): N_("Grandparent"),
        ("family_relationship", "grandchild"): N_("Grandchild"),
        ("family_relationship", "other"): N_("Other relative"),
        ("family_relationship", "none"): N_("No family abroad"),
        ("family_sponsor_status", "citizen"): N_("Citizen"),
        ("family_sponsor_status", "permanent_resident"): N_("Permanent resident"),
        ("family_sponsor_status", "temporary_resident"): N_("Temporary resident"),
        ("family_sponsor_status", "none"): N_("No status"),
    }
)
"""Words for the values of the enumerated facts (CEFR levels are their own)."""
INPUT_FACTS: tuple[str, ...] = tuple(s.name for s in _SPECS if not s.computed_from)
COMPUTED_FACTS: tuple[str, ...] = tuple(s.name for s in _SPECS if s.computed_from)
TODAY = "today"
"""Reserved CEL variable: the screening date as an ISO 8601 string."""
RULE_VARIABLES: frozenset[str] = frozenset(FACTS) | {TODAY}


def input_facts_for(name: str) -> tuple[str, ...]:
    """The input facts a person must give for `name` (itself unless computed)."""
    spec = FACTS[name]
    return spec.computed_from or (name,)


@dataclass(frozen=True, slots=True)
class Facts:
    """Parsed, validated facts of one person. Absent names are missing facts."""

    values: Mapping[str, FactValue] = field(default_factory=dict)
    _cel: Mapping[str, CelValue] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        values = dict(self.values)
        object.__setattr__(self, "values", MappingProxyType(values))
        object.__setattr__(
            self, "_cel", {name: _to_cel(value) for name, value in values.items()}
        )

    @classmethod
    def _parsed(cls, values: dict[str, FactValue], cel: dict[str, CelValue]) -> Facts:
        """Facts `parse_facts` has just validated (no second copy)."""
        facts = object.__new__(cls)
        object.__setattr__(facts, "values", MappingProxyType(values))
        object.__setattr__(facts, "_cel", cel)
        return facts

    @property
    def cel_values(self) -> Mapping[str, CelValue]:
        """The facts as CEL reads them (dates as ISO strings), without `today`."""
        return self._cel

    def get(self, name: str) -> FactValue | None:
        return self.values.get(name)

    def has(self, name: str) -> bool:
        return name in self.values

    def replace(self, **changes: object) -> Facts:
        """Return new facts with `changes` parsed and applied (None removes a fact)."""
        merged: dict[str, object] = {k: _to_json(v) for k, v in self.values.items()}
        merged.update(changes)
        return parse_facts(merged)

    def to_json(self) -> dict[str, object]:
        return {k: _to_json(v) for k, v in self.values.items()}

    def to_cel(self, today: date, today_text: str | None = None) -> dict[str, CelValue]:
        """CEL activation: dates become ISO strings; lists stay (hashable) tuples.

        `years_of_residence` is computed here, from `date_of_entry` and `today`.
        """
        out = dict(self._cel)
        entry = self.values.get("date_of_entry")
        if isinstance(entry, date):
            out["years_of_residence"] = years_between(entry, today)
        out[TODAY] = today_text or today.isoformat()
        return out


def years_between(start: date, end: date) -> int:
    """Whole years from `start` to `end` (0 when `end` is before `start`)."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def _to_cel(value: FactValue) -> CelValue:
    # Lists stay tuples: CEL takes them as lists, and the memo needs hashable keys.
    return value.isoformat() if isinstance(value, date) else value


def _to_json(value: FactValue) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


Parser = Callable[[object], FactValue]


def _parser(spec: FactSpec) -> Parser:
    """A fast validator for one fact (one closure per fact, built once)."""
    name, kind = spec.name, spec.type
    if kind is FactType.BOOLEAN:

        def boolean(raw: object) -> FactValue:
            if raw is True or raw is False:
                return raw
            raise FactsError(name, "expected true or false")

        return boolean
    if kind in (FactType.INTEGER, FactType.ISCED):
        low = spec.minimum if spec.minimum is not None else -(2**63)
        high = spec.maximum if spec.maximum is not None else 2**63 - 1

        def integer(raw: object) -> FactValue:
            if type(raw) is not int:
                raise FactsError(name, "expected a whole number")
            if not low <= raw <= high:
                raise FactsError(name, f"expected {spec.minimum}–{spec.maximum}")
            return raw

        return integer
    if kind is FactType.DATE:

        def day(raw: object) -> FactValue:
            if type(raw) is str and len(raw) == 10:
                try:
                    return date.fromisoformat(raw)
                except ValueError:
                    pass
            raise FactsError(name, "expected a date as YYYY-MM-DD")

        return day
    if kind in (FactType.ISO3_LIST, FactType.TAG_LIST):
        pattern = _ISO3 if kind is FactType.ISO3_LIST else _TAG

        def codes(raw: object) -> FactValue:
            if not isinstance(raw, list) or len(raw) > _MAX_LIST:
                raise FactsError(name, f"expected a list of at most {_MAX_LIST} codes")
            items: list[str] = []
            for item in raw:
                if not isinstance(item, str) or not pattern.match(item):
                    raise FactsError(name, f"invalid list item {item!r}")
                if item not in items:
                    items.append(item)
            return tuple(items)

        return codes
    if kind in (FactType.ENUM, FactType.CEFR):
        allowed = frozenset(spec.values)

        def choice(raw: object) -> FactValue:
            if type(raw) is str and raw in allowed:
                return raw
            if not isinstance(raw, str):
                raise FactsError(name, "expected a string")
            raise FactsError(name, f"expected one of {', '.join(spec.values)}")

        return choice
    pattern, what = {
        FactType.ISO3: (_ISO3, "an ISO 3166-1 alpha-3 code such as VEN"),
        FactType.ISCO: (_ISCO, "a 4-digit ISCO-08 code such as 6111"),
        FactType.SUBDIVISION: (_SUBDIVISION, "an ISO 3166-2 code such as BR-RR"),
    }[kind]

    def code(raw: object) -> FactValue:
        if type(raw) is str and pattern.match(raw):
            return raw
        if not isinstance(raw, str):
            raise FactsError(name, "expected a string")
        raise FactsError(name, f"expected {what}")

    return code


_DATE_FACTS: frozenset[str] = frozenset(
    s.name for s in _SPECS if s.type is FactType.DATE
)
_PARSERS: Mapping[str, Parser] = MappingProxyType(
    {s.name: _parser(s) for s in _SPECS if not s.computed_from}
)


def parse_facts(data: Mapping[str, object]) -> Facts:
    """Parse a JSON object into `Facts`.

    Unknown keys (and computed facts) are an error naming the key; absent keys and
    nulls are missing facts; a wrong type is an error naming the field.
    """
    if not isinstance(data, Mapping):
        raise FactsError("(document)", "facts must be a JSON object")
    values: dict[str, FactValue] = {}
    cel: dict[str, CelValue] = {}
    parsers = _PARSERS
    for name, raw in data.items():
        parse = parsers.get(name) if isinstance(name, str) else None
        if parse is None:
            spec = FACTS.get(name) if isinstance(name, str) else None
            if spec is None:
                raise FactsError(str(name), "unknown fact; see docs/pathways-facts.md")
            raise FactsError(
                name, f"computed from {', '.join(spec.computed_from)}; do not send it"
            )
        if raw is not None:
            value = values[name] = parse(raw)
            # A date was given as its ISO text: CEL reads that text.
            cel[name] = raw if name in _DATE_FACTS else value  # type: ignore[assignment]
    return Facts._parsed(values, cel)
