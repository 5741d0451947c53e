"""5W code lists with their labels (gettext msgids): population types and the
indicators partners report against, each in one RMRP sector."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from puente.core.i18n import N_


class PopulationType(StrEnum):
    """R4V's population groups: refugees and migrants in destination or in
    transit, host communities, and returnees."""

    IN_DESTINATION = "in_destination"
    IN_TRANSIT = "in_transit"
    HOST_COMMUNITY = "host_community"
    RETURNEES = "returnees"


POPULATION_LABELS: Final[dict[str, str]] = {
    PopulationType.IN_DESTINATION: N_("Refugees and migrants in destination"),
    PopulationType.IN_TRANSIT: N_("Refugees and migrants in transit"),
    PopulationType.HOST_COMMUNITY: N_("Host community"),
    PopulationType.RETURNEES: N_("Returnees"),
}


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    sector: str  # an RMRP sector code (financing's code list)
    label: str


INDICATORS: Final[dict[str, Indicator]] = {
    item.code: item
    for item in (
        Indicator(
            "PRO-01",
            "protection",
            N_("People given protection information or counselling"),
        ),
        Indicator(
            "PRO-02",
            "protection",
            N_("People helped with documentation or regularisation"),
        ),
        Indicator(
            "CP-01", "child_protection", N_("Children given child protection services")
        ),
        Indicator(
            "GBV-01",
            "gbv",
            N_("People given services to prevent or respond to gender-based violence"),
        ),
        Indicator(
            "TRF-01",
            "trafficking_smuggling",
            N_("Survivors of trafficking or smuggling given assistance"),
        ),
        Indicator("HEA-01", "health", N_("Primary health care consultations")),
        Indicator("FS-01", "food_security", N_("People given food assistance")),
        Indicator(
            "NUT-01", "nutrition", N_("Children and women given nutrition services")
        ),
        Indicator("SHE-01", "shelter", N_("People given temporary accommodation")),
        Indicator(
            "WASH-01", "wash", N_("People given water, sanitation or hygiene services")
        ),
        Indicator("EDU-01", "education", N_("Children supported to enrol in school")),
        Indicator(
            "INT-01", "integration", N_("People supported into work or a livelihood")
        ),
        Indicator("MPC-01", "multipurpose_cash", N_("People given multipurpose cash")),
        Indicator(
            "HT-01",
            "humanitarian_transport",
            N_("People given humanitarian transportation"),
        ),
        Indicator("SS-01", "support_spaces", N_("People assisted in support spaces")),
    )
}
