"""Reference data shipped as versioned files, free of any domain: countries (ISO 3166
codes with their names in the five languages of Puente) and code lists such as the
UNHCR specific needs codes. Modules read names and codes here, never keep their own."""

from puente.reference.countries import (
    ENDORSING_STATES,
    LOCALES,
    CodeKind,
    Country,
    CountryNotFound,
    all_countries,
    americas,
    country_name,
    country_options,
    endorsing_states,
    find_country,
    get_country,
)

__all__ = [
    "ENDORSING_STATES",
    "LOCALES",
    "CodeKind",
    "Country",
    "CountryNotFound",
    "all_countries",
    "americas",
    "country_name",
    "country_options",
    "endorsing_states",
    "find_country",
    "get_country",
]
