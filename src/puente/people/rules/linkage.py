"""Puente's name rules as the linkage library's `NameRules`: canonical tokens
(accents, particles, double surnames, es/pt/fr/ht spellings) for comparison and
phonetic keys for blocking. The linkage library stays domain-free; people hands
it these."""

from __future__ import annotations

from puente.people.rules.names import canonical_token, name_tokens, phonetic_key


class PuenteNameRules:
    """Implements `puente.linkage.NameRules` with `people.rules.names`."""

    def tokens(self, name: str) -> tuple[str, ...]:
        return tuple(
            token for token in (canonical_token(t) for t in name_tokens(name)) if token
        )

    def phonetic(self, token: str) -> str:
        return phonetic_key(token)


def linkage_name_rules() -> PuenteNameRules:
    return PuenteNameRules()
