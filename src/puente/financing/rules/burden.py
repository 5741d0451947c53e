"""Host burden: who carries the load (UNHCR's host-capacity measures).

People hosted = refugees + asylum-seekers + other people in need of
international protection (OIP: in the Americas mostly Venezuelans; without them
Colombia, Peru and Ecuador look like small hosts). Measures, per state and year:

- people hosted per 1,000 inhabitants;
- people hosted per USD 1 of GDP per person (UNHCR Statistical Yearbook: the
  higher, the larger the contribution relative to the economy; current USD here,
  the yearbook uses PPP, which is not in the shipped data);
- people hosted per USD 1 million of GDP.

A measure is None when an input is missing. `oip_known` says whether the OIP
figure for that state and year is in the data (known zero included); when it is
not, the burden counts refugees and asylum-seekers only and says so.

Pure: dataclasses in, dataclasses out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from puente.reference.countries import ENDORSING_STATES

AMERICAS_ORIGINS = frozenset(
    {
        "ABW", "AIA", "ARG", "ATG", "BHS", "BLZ", "BMU", "BOL", "BRA", "BRB", "CAN",
        "CHL", "COL", "CRI", "CUB", "CUW", "CYM", "DMA", "DOM", "ECU", "GLP", "GRD",
        "GTM", "GUF", "GUY", "HND", "HTI", "JAM", "KNA", "LCA", "MEX", "MSR", "MTQ",
        "NIC", "PAN", "PER", "PRI", "PRY", "SLV", "SUR", "TCA", "TTO", "URY", "USA",
        "VCT", "VEN", "VGB", "VIR",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HostInputs:
    state: str
    year: int
    population: int | None
    gdp_usd: float | None
    refugees: int
    asylum_seekers: int
    oip: int
    oip_known: bool
    intraregional: int  # hosted people whose origin is in the Americas (OIP included)


@dataclass(frozen=True, slots=True)
class HostBurden:
    state: str
    year: int
    population: int | None
    gdp_usd: float | None
    refugees: int
    asylum_seekers: int
    oip: int
    oip_known: bool
    intraregional: int

    @property
    def hosted(self) -> int:
        return self.refugees + self.asylum_seekers + self.oip

    @property
    def gdp_per_capita(self) -> float | None:
        if not self.population or self.gdp_usd is None:
            return None
        return self.gdp_usd / self.population

    @property
    def per_1000(self) -> float | None:
        if not self.population:
            return None
        return self.hosted * 1000 / self.population

    @property
    def per_usd_gdp_per_capita(self) -> float | None:
        per_capita = self.gdp_per_capita
        if not per_capita:
            return None
        return self.hosted / per_capita

    @property
    def per_million_usd_gdp(self) -> float | None:
        if not self.gdp_usd:
            return None
        return self.hosted / (self.gdp_usd / 1_000_000)

    @property
    def is_complete(self) -> bool:
        """Population, GDP and the OIP figure are all in the data."""
        return (
            self.population is not None and self.gdp_usd is not None and self.oip_known
        )


def host_burden(inputs: HostInputs) -> HostBurden:
    return HostBurden(
        state=inputs.state,
        year=inputs.year,
        population=inputs.population,
        gdp_usd=inputs.gdp_usd,
        refugees=inputs.refugees,
        asylum_seekers=inputs.asylum_seekers,
        oip=inputs.oip if inputs.oip_known else 0,
        oip_known=inputs.oip_known,
        intraregional=inputs.intraregional,
    )


def latest_complete_year(burdens: Iterable[HostBurden], state: str) -> int | None:
    """The latest year whose figures for `state` are complete."""
    years = [b.year for b in burdens if b.state == state and b.is_complete]
    return max(years, default=None)


def endorsing(burdens: Iterable[HostBurden]) -> list[HostBurden]:
    return [b for b in burdens if b.state in ENDORSING_STATES]
