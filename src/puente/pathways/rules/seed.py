# ruff: noqa: E501 - translated prose and source URLs read better unwrapped.
"""Authoring source of the seeded catalogue: real pathways of the endorsing states.

`catalogue.json` in `pathways/data` is generated from here and signed with the demo
keys (`python -m puente.pathways.rules.seed`). Each pathway's `notes` says where the
rule simplifies the real programme; **[verify]** marks what needs the primary text.
Reason texts come from a few clause templates so all five languages stay in step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from puente.pathways.rules.catalogue import (
    Clause,
    LocalizedText,
    Pathway,
    PathwayKind,
    write_demo_catalogue,
)

CATALOGUE_VERSION = "2026.1"
PUBLISHED_ON = date(2026, 11, 1)
T = LocalizedText

# Country names: en, es, pt, fr, ht.
_NAMES: dict[str, tuple[str, str, str, str, str]] = {
    "ARG": ("Argentina", "Argentina", "Argentina", "Argentine", "Ajantin"),
    "ATG": (
        "Antigua and Barbuda",
        "Antigua y Barbuda",
        "Antígua e Barbuda",
        "Antigua-et-Barbuda",
        "Antigwa ak Barbuda",
    ),
    "BHS": ("Bahamas", "Bahamas", "Bahamas", "Bahamas", "Bahamas"),
    "BLZ": ("Belize", "Belice", "Belize", "Belize", "Beliz"),
    "BOL": ("Bolivia", "Bolivia", "Bolívia", "Bolivie", "Bolivi"),
    "BRA": ("Brazil", "Brasil", "Brasil", "Brésil", "Brezil"),
    "BRB": ("Barbados", "Barbados", "Barbados", "Barbade", "Barbad"),
    "CAN": ("Canada", "Canadá", "Canadá", "Canada", "Kanada"),
    "CHL": ("Chile", "Chile", "Chile", "Chili", "Chili"),
    "COL": ("Colombia", "Colombia", "Colômbia", "Colombie", "Kolonbi"),
    "CRI": ("Costa Rica", "Costa Rica", "Costa Rica", "Costa Rica", "Kostarika"),
    "CUB": ("Cuba", "Cuba", "Cuba", "Cuba", "Kiba"),
    "DMA": ("Dominica", "Dominica", "Dominica", "Dominique", "Dominik"),
    "DOM": (
        "Dominican Republic",
        "República Dominicana",
        "República Dominicana",
        "République dominicaine",
        "Repiblik Dominikèn",
    ),
    "ECU": ("Ecuador", "Ecuador", "Equador", "Équateur", "Ekwatè"),
    "GRD": ("Grenada", "Granada", "Granada", "Grenade", "Grenad"),
    "GTM": ("Guatemala", "Guatemala", "Guatemala", "Guatemala", "Gwatemala"),
    "GUY": ("Guyana", "Guyana", "Guiana", "Guyana", "Giyana"),
    "HND": ("Honduras", "Honduras", "Honduras", "Honduras", "Ondiras"),
    "HTI": ("Haiti", "Haití", "Haiti", "Haïti", "Ayiti"),
    "JAM": ("Jamaica", "Jamaica", "Jamaica", "Jamaïque", "Jamayik"),
    "KNA": (
        "Saint Kitts and Nevis",
        "San Cristóbal y Nieves",
        "São Cristóvão e Névis",
        "Saint-Christophe-et-Niévès",
        "Sen Kits ak Nevis",
    ),
    "LCA": ("Saint Lucia", "Santa Lucía", "Santa Lúcia", "Sainte-Lucie", "Sent Lisi"),
    "MEX": ("Mexico", "México", "México", "Mexique", "Meksik"),
    "NIC": ("Nicaragua", "Nicaragua", "Nicarágua", "Nicaragua", "Nikaragwa"),
    "PAN": ("Panama", "Panamá", "Panamá", "Panama", "Panama"),
    "PER": ("Peru", "Perú", "Peru", "Pérou", "Pewou"),
    "PRY": ("Paraguay", "Paraguay", "Paraguai", "Paraguay", "Paragwe"),
    "SLV": ("El Salvador", "El Salvador", "El Salvador", "Salvador", "Salvadò"),
    "SUR": ("Suriname", "Surinam", "Suriname", "Suriname", "Sirinam"),
    "TTO": (
        "Trinidad and Tobago",
        "Trinidad y Tobago",
        "Trinidad e Tobago",
        "Trinité-et-Tobago",
        "Trinidad ak Tobago",
    ),
    "URY": ("Uruguay", "Uruguay", "Uruguai", "Uruguay", "Irigwe"),
    "USA": (
        "the United States",
        "Estados Unidos",
        "os Estados Unidos",
        "les États-Unis",
        "Etazini",
    ),
    "VCT": (
        "Saint Vincent and the Grenadines",
        "San Vicente y las Granadinas",
        "São Vicente e Granadinas",
        "Saint-Vincent-et-les-Grenadines",
        "Sen Vensan ak Grenadin",
    ),
    "VEN": ("Venezuela", "Venezuela", "Venezuela", "Venezuela", "Venezyela"),
}
_LANG_INDEX = {"en": 0, "es": 1, "pt": 2, "fr": 3, "ht": 4}
_MONTHS = {
    "en": "January February March April May June July August September October "
    "November December",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre "
    "noviembre diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro "
    "novembro dezembro",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre "
    "novembre décembre",
    "ht": "janvye fevriye mas avril me jen jiyè out septanm oktòb novanm desanm",
}
_AND = {"en": "and", "es": "y", "pt": "e", "fr": "et", "ht": "ak"}

CENTRAL_AMERICA = ("GTM", "SLV", "HND", "NIC", "CRI", "PAN")
CARICOM = (
    "ATG",
    "BHS",
    "BRB",
    "BLZ",
    "DMA",
    "GRD",
    "GUY",
    "HTI",
    "JAM",
    "KNA",
    "LCA",
    "VCT",
    "SUR",
    "TTO",
)
AMERICAS_HOSTS = (
    "ARG",
    "BLZ",
    "BOL",
    "BRA",
    "CHL",
    "COL",
    "CRI",
    "DOM",
    "ECU",
    "GTM",
    "GUY",
    "HND",
    "JAM",
    "MEX",
    "NIC",
    "PAN",
    "PER",
    "PRY",
    "SLV",
    "SUR",
    "TTO",
    "URY",
    "VEN",
    "CUB",
    "HTI",
)
MERCOSUR = ("BOL", "BRA", "CHL", "COL", "ECU", "PRY", "PER", "URY", "VEN")
H2_ELIGIBLE_AMERICAS = (
    "ARG",
    "BRB",
    "BLZ",
    "BRA",
    "CHL",
    "COL",
    "CRI",
    "DOM",
    "ECU",
    "SLV",
    "GRD",
    "GTM",
    "HTI",
    "HND",
    "JAM",
    "MEX",
    "NIC",
    "PAN",
    "PRY",
    "PER",
    "KNA",
    "LCA",
    "VCT",
    "TTO",
    "URY",
)
AGRICULTURE_CEL = (
    'job_offer_isco.startsWith("61") || job_offer_isco.startsWith("62") || '
    'job_offer_isco.startsWith("921") || job_offer_isco == "8341"'
)


def _name(code: str, language: str) -> str:
    return _NAMES[code][_LANG_INDEX[language]]


def _names(codes: Sequence[str], language: str) -> str:
    names = [_name(c, language) for c in codes]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {_AND[language]} {names[-1]}"


def _date_text(day: date, language: str) -> str:
    month = _MONTHS[language].split()[day.month - 1]
    if language == "en":
        return f"{day.day} {month} {day.year}"
    if language in ("es", "pt"):
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def _each(fn: Callable[[str], str]) -> LocalizedText:
    return T(*(str(fn(lang)) for lang in ("en", "es", "pt", "fr", "ht")))


def _cel_list(codes: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{c}"' for c in codes) + "]"


def clause(
    cid: str, cel: str, ok: LocalizedText, ko: LocalizedText, since: date
) -> Clause:
    return Clause(id=cid, cel=cel, reason_pass=ok, reason_fail=ko, effective_from=since)


# --- clause templates --------------------------------------------------------------


def adult(since: date, minimum: int = 18) -> Clause:
    n = minimum
    return clause(
        "adult",
        f"age >= {n}",
        T(
            f"You are {n} or older.",
            f"Tiene {n} años o más.",
            f"Você tem {n} anos ou mais.",
            f"Vous avez {n} ans ou plus.",
            f"Ou gen {n} an oswa plis.",
        ),
        T(
            f"You must be at least {n} years old.",
            f"Debe tener al menos {n} años.",
            f"Você precisa ter pelo menos {n} anos.",
            f"Vous devez avoir au moins {n} ans.",
            f"Ou dwe gen omwen {n} an.",
        ),
        since,
    )


def nationality_in(
    codes: Sequence[str], since: date, group: LocalizedText | None = None
) -> Clause:
    cel = (
        f'nationality == "{codes[0]}"'
        if len(codes) == 1
        else f"nationality in {_cel_list(codes)}"
    )

    def label(lang: str) -> str:
        return group.get(lang) if group else _names(codes, lang)

    return clause(
        "nationality",
        cel,
        _each(
            lambda lang: {
                "en": f"Your nationality is covered: {label(lang)}.",
                "es": f"Su nacionalidad está incluida: {label(lang)}.",
                "pt": f"Sua nacionalidade está incluída: {label(lang)}.",
                "fr": f"Votre nationalité est couverte : {label(lang)}.",
                "ht": f"Nasyonalite ou kouvri: {label(lang)}.",
            }[lang]
        ),
        _each(
            lambda lang: {
                "en": f"This pathway is only for nationals of {label(lang)}.",
                "es": f"Esta vía es solo para nacionales de {label(lang)}.",
                "pt": f"Esta via é apenas para nacionais de {label(lang)}.",
                "fr": f"Cette voie est réservée aux ressortissants de : {label(lang)}.",
                "ht": f"Chemen sa a se pou moun ki soti {label(lang)} sèlman.",
            }[lang]
        ),
        since,
    )


def lives_in(state: str, since: date) -> Clause:
    return clause(
        "residence",
        f'country_of_residence == "{state}"',
        _each(
            lambda lang: {
                "en": f"You live in {_name(state, lang)}.",
                "es": f"Vive en {_name(state, lang)}.",
                "pt": f"Você mora em {_name(state, lang)}.",
                "fr": f"Vous vivez en/au {_name(state, lang)}.",
                "ht": f"Ou rete {_name(state, lang)}.",
            }[lang]
        ),
        _each(
            lambda lang: {
                "en": f"You must be living in {_name(state, lang)}.",
                "es": f"Debe estar viviendo en {_name(state, lang)}.",
                "pt": f"Você precisa estar morando em {_name(state, lang)}.",
                "fr": f"Vous devez vivre en/au {_name(state, lang)}.",
                "ht": f"Ou dwe ap viv {_name(state, lang)}.",
            }[lang]
        ),
        since,
    )


def lives_outside(state: str, since: date) -> Clause:
    return clause(
        "outside",
        f'country_of_residence != "{state}"',
        _each(
            lambda lang: {
                "en": f"You apply from outside {_name(state, lang)}.",
                "es": f"Presenta la solicitud desde fuera de {_name(state, lang)}.",
                "pt": f"Você solicita de fora de {_name(state, lang)}.",
                "fr": f"Vous faites la demande depuis l'extérieur : {_name(state, lang)}.",
                "ht": f"Ou fè demand lan andeyò {_name(state, lang)}.",
            }[lang]
        ),
        _each(
            lambda lang: {
                "en": f"You must apply from outside {_name(state, lang)}.",
                "es": f"Debe presentar la solicitud desde fuera de {_name(state, lang)}.",
                "pt": f"Você precisa solicitar de fora de {_name(state, lang)}.",
                "fr": f"Vous devez faire la demande hors de ce pays : {_name(state, lang)}.",
                "ht": f"Ou dwe fè demand lan andeyò {_name(state, lang)}.",
            }[lang]
        ),
        since,
    )


def entered_by(day: date, since: date, cid: str = "entry_date") -> Clause:
    return clause(
        cid,
        f'date_of_entry <= "{day.isoformat()}"',
        _each(
            lambda lang: {
                "en": f"You entered on or before {_date_text(day, lang)}.",
                "es": f"Entró el {_date_text(day, lang)} o antes.",
                "pt": f"Você entrou em {_date_text(day, lang)} ou antes.",
                "fr": f"Vous êtes entré le {_date_text(day, lang)} ou avant.",
                "ht": f"Ou te antre {_date_text(day, lang)} oswa anvan.",
            }[lang]
        ),
        _each(
            lambda lang: {
                "en": f"You must have entered on or before {_date_text(day, lang)}.",
                "es": f"Debe haber entrado el {_date_text(day, lang)} o antes.",
                "pt": f"Você precisa ter entrado até {_date_text(day, lang)}.",
                "fr": f"Vous devez être entré au plus tard le {_date_text(day, lang)}.",
                "ht": f"Ou dwe te antre anvan oswa nan dat {_date_text(day, lang)}.",
            }[lang]
        ),
        since,
    )


def entered_between(first: date, last: date, since: date) -> Clause:
    return clause(
        "entry_window",
        f'date_of_entry >= "{first.isoformat()}" && date_of_entry <= "{last.isoformat()}"',
        _each(
            lambda lang: {
                "en": f"You entered between {_date_text(first, lang)} and {_date_text(last, lang)}.",
                "es": f"Entró entre el {_date_text(first, lang)} y el {_date_text(last, lang)}.",
                "pt": f"Você entrou entre {_date_text(first, lang)} e {_date_text(last, lang)}.",
                "fr": f"Vous êtes entré entre le {_date_text(first, lang)} et le {_date_text(last, lang)}.",
                "ht": f"Ou te antre ant {_date_text(first, lang)} ak {_date_text(last, lang)}.",
            }[lang]
        ),
        _each(
            lambda lang: {
                "en": f"You must have entered between {_date_text(first, lang)} and {_date_text(last, lang)}.",
                "es": f"Debe haber entrado entre el {_date_text(first, lang)} y el {_date_text(last, lang)}.",
                "pt": f"Você precisa ter entrado entre {_date_text(first, lang)} e {_date_text(last, lang)}.",
                "fr": f"Vous devez être entré entre le {_date_text(first, lang)} et le {_date_text(last, lang)}.",
                "ht": f"Ou dwe te antre ant {_date_text(first, lang)} ak {_date_text(last, lang)}.",
            }[lang]
        ),
        since,
    )


def no_criminal_record(since: date) -> Clause:
    return clause(
        "no_criminal_record",
        "!has_criminal_record",
        T(
            "You have no criminal record.",
            "No tiene antecedentes penales.",
            "Você não tem antecedentes criminais.",
            "Vous n'avez pas de casier judiciaire.",
            "Ou pa gen dosye kriminèl.",
        ),
        T(
            "A criminal record excludes this pathway.",
            "Los antecedentes penales impiden esta vía.",
            "Antecedentes criminais impedem esta via.",
            "Un casier judiciaire exclut cette voie.",
            "Yon dosye kriminèl bloke chemen sa a.",
        ),
        since,
    )


def passport(since: date) -> Clause:
    return clause(
        "passport",
        "has_passport",
        T(
            "You have a valid passport.",
            "Tiene pasaporte vigente.",
            "Você tem passaporte válido.",
            "Vous avez un passeport valide.",
            "Ou gen yon paspò ki valab.",
        ),
        T(
            "A valid passport is required.",
            "Se requiere pasaporte vigente.",
            "É necessário passaporte válido.",
            "Un passeport valide est exigé.",
            "Ou bezwen yon paspò ki valab.",
        ),
        since,
    )


def identity_document(since: date) -> Clause:
    return clause(
        "identity_document",
        "has_passport || has_national_id",
        T(
            "You have a passport or national identity document.",
            "Tiene pasaporte o documento de identidad.",
            "Você tem passaporte ou documento de identidade.",
            "Vous avez un passeport ou une pièce d'identité nationale.",
            "Ou gen yon paspò oswa yon kat idantite.",
        ),
        T(
            "A passport or national identity document is required.",
            "Se requiere pasaporte o documento de identidad.",
            "É necessário passaporte ou documento de identidade.",
            "Un passeport ou une pièce d'identité nationale est exigé.",
            "Ou bezwen yon paspò oswa yon kat idantite.",
        ),
        since,
    )


def job_offer(
    state: str, since: date, occupations: str | None, what: LocalizedText
) -> Clause:
    cel = f'has_job_offer && job_offer_state == "{state}"'
    if occupations:
        cel += f" && ({occupations})"
    return clause(
        "job_offer",
        cel,
        _each(
            lambda lang: {
                "en": f"You have a job offer in {_name(state, lang)}: {what.get(lang)}.",
                "es": f"Tiene una oferta de trabajo en {_name(state, lang)}: {what.get(lang)}.",
                "pt": f"Você tem uma oferta de emprego em {_name(state, lang)}: {what.get(lang)}.",
                "fr": f"Vous avez une offre d'emploi ({_name(state, lang)}) : {what.get(lang)}.",
                "ht": f"Ou gen yon òf travay {_name(state, lang)}: {what.get(lang)}.",
            }[lang]
        ),
        _each(
            lambda lang: {
                "en": f"You need a job offer in {_name(state, lang)}: {what.get(lang)}.",
                "es": f"Necesita una oferta de trabajo en {_name(state, lang)}: {what.get(lang)}.",
                "pt": f"Você precisa de uma oferta de emprego em {_name(state, lang)}: {what.get(lang)}.",
                "fr": f"Il vous faut une offre d'emploi ({_name(state, lang)}) : {what.get(lang)}.",
                "ht": f"Ou bezwen yon òf travay {_name(state, lang)}: {what.get(lang)}.",
            }[lang]
        ),
        since,
    )


def family_in_state(
    state: str, relationships: Sequence[str], statuses: Sequence[str], since: date
) -> Clause:
    cel = (
        f'"{state}" in family_in && family_relationship in {_cel_list(relationships)}'
        f" && family_sponsor_status in {_cel_list(statuses)}"
    )
    return clause(
        "family",
        cel,
        _each(
            lambda lang: {
                "en": f"You have a close family member with the required status in {_name(state, lang)}.",
                "es": f"Tiene un familiar cercano con la situación requerida en {_name(state, lang)}.",
                "pt": f"Você tem um familiar próximo com a situação exigida em {_name(state, lang)}.",
                "fr": f"Vous avez un proche avec le statut requis ({_name(state, lang)}).",
                "ht": f"Ou gen yon fanmi pwòch ki gen estati ki mande a {_name(state, lang)}.",
            }[lang]
        ),
        _each(
            lambda lang: {
                "en": f"You need a close family member who is a citizen or resident of {_name(state, lang)}.",
                "es": f"Necesita un familiar cercano ciudadano o residente de {_name(state, lang)}.",
                "pt": f"Você precisa de um familiar próximo cidadão ou residente de {_name(state, lang)}.",
                "fr": f"Il vous faut un proche citoyen ou résident ({_name(state, lang)}).",
                "ht": f"Ou bezwen yon fanmi pwòch ki sitwayen oswa rezidan {_name(state, lang)}.",
            }[lang]
        ),
        since,
    )


def protection_need(statuses: Sequence[str], since: date) -> Clause:
    return clause(
        "protection",
        f"protection_status in {_cel_list(statuses)}",
        T(
            "Your protection situation is covered.",
            "Su situación de protección está cubierta.",
            "Sua situação de proteção está coberta.",
            "Votre situation de protection est couverte.",
            "Sitiyasyon pwoteksyon ou kouvri.",
        ),
        T(
            "This pathway is for people who need international protection.",
            "Esta vía es para personas que necesitan protección internacional.",
            "Esta via é para pessoas que precisam de proteção internacional.",
            "Cette voie est pour les personnes qui ont besoin d'une protection internationale.",
            "Chemen sa a se pou moun ki bezwen pwoteksyon entènasyonal.",
        ),
        since,
    )


def custom(
    cid: str,
    cel: str,
    ok: tuple[str, str, str, str, str],
    ko: tuple[str, str, str, str, str],
    since: date,
) -> Clause:
    return clause(cid, cel, T(*ok), T(*ko), since)


def pathway(
    pid: str,
    state: str,
    kind: PathwayKind,
    title: tuple[str, str, str, str, str],
    summary: tuple[str, str, str, str, str],
    opens_on: date,
    closes_on: date | None,
    clauses: Sequence[Clause],
    *,
    source_url: str,
    notes: str,
    documents: Sequence[str],
    quota: int | None = None,
    quota_unit: str | None = None,
    version: str = "1",
    destinations: Sequence[str] = (),
) -> Pathway:
    return Pathway(
        id=pid,
        state=state,
        kind=kind,
        title=T(*title),
        summary=T(*summary),
        opens_on=opens_on,
        closes_on=closes_on,
        quota=quota,
        quota_unit=quota_unit,
        documents=tuple(documents),
        source_url=source_url,
        version=version,
        notes=notes,
        clauses=tuple(clauses),
        destinations=tuple(destinations),
    )


AGRI = T(
    "farm work",
    "trabajo agrícola",
    "trabalho agrícola",
    "travail agricole",
    "travay agrikòl",
)
NON_AGRI = T(
    "seasonal non-farm work",
    "trabajo temporal no agrícola",
    "trabalho temporário não agrícola",
    "travail saisonnier non agricole",
    "travay sezonye ki pa nan jaden",
)
ANY_JOB = T(
    "any occupation",
    "cualquier ocupación",
    "qualquer ocupação",
    "tout métier",
    "nenpòt travay",
)
BORDER_JOB = T(
    "in Chiapas, Tabasco, Campeche or Quintana Roo",
    "en Chiapas, Tabasco, Campeche o Quintana Roo",
    "em Chiapas, Tabasco, Campeche ou Quintana Roo",
    "au Chiapas, Tabasco, Campeche ou Quintana Roo",
    "nan Chiapas, Tabasco, Campeche oswa Quintana Roo",
)
D = date
H = PathwayKind


def seeded_pathways() -> list[Pathway]:
    """The seeded catalogue (at least 20 real pathways of endorsing states)."""
    return [
        pathway(
            "col-etpv",
            "COL",
            H.REGULARISATION,
            (
                "Temporary Protection Statute for Venezuelan Migrants (ETPV / PPT)",
                "Estatuto Temporal de Protección para Migrantes Venezolanos (ETPV / PPT)",
                "Estatuto de Proteção Temporária para Migrantes Venezuelanos (ETPV / PPT)",
                "Statut de protection temporaire pour les migrants vénézuéliens (ETPV / PPT)",
                "Estati Pwoteksyon Tanporè pou Migran Venezyelyen (ETPV / PPT)",
            ),
            (
                "Venezuelans in Colombia can get a Temporary Protection Permit valid ten years, "
                "with the right to work and study.",
                "Las personas venezolanas en Colombia pueden obtener un Permiso por Protección "
                "Temporal válido por diez años, con derecho a trabajar y estudiar.",
                "Venezuelanos na Colômbia podem obter uma Permissão de Proteção Temporária "
                "válida por dez anos, com direito a trabalhar e estudar.",
                "Les Vénézuéliens en Colombie peuvent obtenir un permis de protection "
                "temporaire de dix ans, avec le droit de travailler et d'étudier.",
                "Venezyelyen ki nan Kolonbi ka jwenn yon Pèmi Pwoteksyon Tanporè pou dis an, "
                "avèk dwa pou travay ak etidye.",
            ),
            D(2021, 5, 5),
            D(2031, 5, 28),
            [
                nationality_in(["VEN"], D(2021, 3, 1)),
                lives_in("COL", D(2021, 3, 1)),
                custom(
                    "entry_condition",
                    'date_of_entry <= "2021-01-31" || '
                    '(entered_regularly && date_of_entry <= "2023-05-28")',
                    (
                        "You were in Colombia by 31 January 2021, or entered regularly "
                        "before 28 May 2023.",
                        "Estaba en Colombia al 31 de enero de 2021, o entró regularmente "
                        "antes del 28 de mayo de 2023.",
                        "Você estava na Colômbia em 31 de janeiro de 2021, ou entrou "
                        "regularmente antes de 28 de maio de 2023.",
                        "Vous étiez en Colombie au 31 janvier 2021, ou vous êtes entré "
                        "régulièrement avant le 28 mai 2023.",
                        "Ou te Kolonbi nan dat 31 janvye 2021, oswa ou te antre legalman "
                        "anvan 28 me 2023.",
                    ),
                    (
                        "You must have been in Colombia by 31 January 2021, or have entered "
                        "regularly before 28 May 2023.",
                        "Debe haber estado en Colombia al 31 de enero de 2021, o haber "
                        "entrado regularmente antes del 28 de mayo de 2023.",
                        "Você precisa ter estado na Colômbia em 31 de janeiro de 2021, ou "
                        "ter entrado regularmente antes de 28 de maio de 2023.",
                        "Vous devez avoir été en Colombie au 31 janvier 2021, ou être entré "
                        "régulièrement avant le 28 mai 2023.",
                        "Ou dwe te Kolonbi nan dat 31 janvye 2021, oswa te antre legalman "
                        "anvan 28 me 2023.",
                    ),
                    D(2021, 3, 1),
                ),
            ],
            source_url="https://www.migracioncolombia.gov.co/estatuto-temporal-de-proteccion-para-migrantes-venezolanos",
            notes="Decreto 216 de 2021 and Resolución 971 de 2021. Simplified: the "
            "RUMV pre-registration windows (irregular entrants until 2022-05-28) have "
            "closed, and the exclusion for criminal records or pending expulsions is "
            "checked by Migración Colombia at registration, not here [verify late "
            "registration rules]. The statute runs to 2031-05-28.",
            documents=["identity_document", "proof_of_entry", "photo"],
        ),
        pathway(
            "col-visa-m-spouse",
            "COL",
            H.FAMILY,
            (
                "Migrant visa (M) as spouse or partner of a Colombian",
                "Visa de migrante (M) como cónyuge o compañero de colombiano",
                "Visto de migrante (M) como cônjuge ou companheiro de colombiano",
                "Visa de migrant (M) comme conjoint d'un Colombien",
                "Viza migran (M) kòm mari, madanm oswa patnè yon Kolonbyen",
            ),
            (
                "Spouses and permanent partners of Colombian nationals can live and work in "
                "Colombia for up to three years, renewable.",
                "Cónyuges y compañeros permanentes de colombianos pueden vivir y trabajar "
                "en Colombia hasta tres años, renovables.",
                "Cônjuges e companheiros de colombianos podem viver e trabalhar na Colômbia "
                "por até três anos, renováveis.",
                "Les conjoints de Colombiens peuvent vivre et travailler en Colombie "
                "jusqu'à trois ans, renouvelables.",
                "Mari, madanm ak patnè Kolonbyen ka viv epi travay Kolonbi pou twa an, "
                "renouvlab.",
            ),
            D(2022, 10, 22),
            None,
            [
                family_in_state("COL", ["spouse"], ["citizen"], D(2022, 10, 22)),
                passport(D(2022, 10, 22)),
            ],
            source_url="https://www.cancilleria.gov.co/tramites_servicios/visa/requisitos",
            notes="Resolución 5477 de 2022. Simplified: partnership (unión marital de "
            "hecho) counts as `spouse`; the visa also needs the Colombian's ID and a "
            "marriage or partnership record.",
            documents=["passport", "family_relationship_proof", "sponsor_status_proof"],
        ),
        pathway(
            "usa-h2a",
            "USA",
            H.LABOUR,
            (
                "H-2A temporary agricultural worker visa",
                "Visa H-2A para trabajadores agrícolas temporales",
                "Visto H-2A para trabalhadores agrícolas temporários",
                "Visa H-2A pour travailleurs agricoles temporaires",
                "Viza H-2A pou travayè agrikòl tanporè",
            ),
            (
                "US farms hire seasonal workers; the employer pays housing, transport and "
                "all recruitment costs. No annual cap.",
                "Granjas de EE. UU. contratan trabajadores de temporada; el empleador paga "
                "vivienda, transporte y todos los costos de reclutamiento. Sin límite anual.",
                "Fazendas dos EUA contratam trabalhadores sazonais; o empregador paga "
                "moradia, transporte e todos os custos de recrutamento. Sem limite anual.",
                "Des fermes américaines embauchent des saisonniers ; l'employeur paie le "
                "logement, le transport et tous les frais de recrutement. Sans plafond.",
                "Fèm Ozetazini anboche travayè sezonye; patwon an peye kay, transpò ak tout "
                "frè rekritman. Pa gen limit chak ane.",
            ),
            D(1987, 6, 1),
            None,
            [
                adult(D(2020, 1, 1)),
                nationality_in(
                    H2_ELIGIBLE_AMERICAS,
                    D(2024, 11, 12),
                    T(
                        "a country on the H-2A/H-2B eligible list",
                        "un país de la lista de elegibles H-2A/H-2B",
                        "um país da lista de elegíveis H-2A/H-2B",
                        "un pays de la liste d'éligibilité H-2A/H-2B",
                        "yon peyi ki sou lis H-2A/H-2B la",
                    ),
                ),
                job_offer("USA", D(2020, 1, 1), AGRICULTURE_CEL, AGRI),
            ],
            source_url="https://www.dol.gov/agencies/whd/workers/h2a",
            notes="8 CFR 214.2(h)(5); 20 CFR 655 Subpart B. The nationality list is "
            "the Americas subset of the yearly DHS eligible-countries notice [verify "
            "each fiscal year]. Agriculture is approximated by ISCO-08 groups 61, 62, "
            "921 and 8341; the real test is the DOL labour certification.",
            documents=["passport", "job_offer_contract", "labour_market_approval"],
            quota=None,
            quota_unit="visas",
        ),
        pathway(
            "usa-h2b",
            "USA",
            H.LABOUR,
            (
                "H-2B temporary non-agricultural worker visa",
                "Visa H-2B para trabajadores temporales no agrícolas",
                "Visto H-2B para trabalhadores temporários não agrícolas",
                "Visa H-2B pour travailleurs temporaires non agricoles",
                "Viza H-2B pou travayè tanporè ki pa nan agrikilti",
            ),
            (
                "Seasonal jobs in US landscaping, hospitality, seafood and construction. "
                "Supplemental visas are reserved for Haiti, El Salvador, Guatemala and "
                "Honduras.",
                "Empleos de temporada en jardinería, hotelería, mariscos y construcción en "
                "EE. UU. Hay visas adicionales reservadas para Haití, El Salvador, "
                "Guatemala y Honduras.",
                "Empregos sazonais nos EUA em paisagismo, hotelaria, frutos do mar e "
                "construção. Há vistos adicionais reservados para Haiti, El Salvador, "
                "Guatemala e Honduras.",
                "Emplois saisonniers aux États-Unis (paysagisme, hôtellerie, fruits de mer, "
                "construction). Des visas supplémentaires sont réservés à Haïti, au "
                "Salvador, au Guatemala et au Honduras.",
                "Travay sezonye Ozetazini nan jaden, otèl, pwason ak konstriksyon. Gen viza "
                "anplis ki rezève pou Ayiti, Salvadò, Gwatemala ak Ondiras.",
            ),
            D(1987, 6, 1),
            None,
            [
                adult(D(2020, 1, 1)),
                nationality_in(
                    H2_ELIGIBLE_AMERICAS,
                    D(2024, 11, 12),
                    T(
                        "a country on the H-2A/H-2B eligible list",
                        "un país de la lista de elegibles H-2A/H-2B",
                        "um país da lista de elegíveis H-2A/H-2B",
                        "un pays de la liste d'éligibilité H-2A/H-2B",
                        "yon peyi ki sou lis H-2A/H-2B la",
                    ),
                ),
                job_offer("USA", D(2020, 1, 1), f"!({AGRICULTURE_CEL})", NON_AGRI),
            ],
            source_url="https://www.uscis.gov/working-in-the-united-states/temporary-workers/h-2b-non-agricultural-workers",
            notes="Statutory cap 66,000 per fiscal year; FY2023 added 64,716 of which "
            "20,000 for nationals of Haiti, El Salvador, Guatemala and Honduras (LAD). "
            "Cap availability is not screened here.",
            documents=["passport", "job_offer_contract", "labour_market_approval"],
            quota=66000,
            quota_unit="visas per fiscal year",
        ),
        pathway(
            "usa-frp",
            "USA",
            H.FAMILY,
            (
                "Family Reunification Parole processes",
                "Procesos de Permiso de Permanencia Temporal para la Reunificación Familiar",
                "Processos de parole para reunificação familiar",
                "Procédures de libération conditionnelle pour réunification familiale",
                "Pwosesis Parole pou Reyinifikasyon Fanmi",
            ),
            (
                "Relatives of US citizens and permanent residents with an approved family "
                "petition could wait in the US instead of abroad.",
                "Familiares de ciudadanos y residentes permanentes de EE. UU. con una "
                "petición familiar aprobada podían esperar en EE. UU.",
                "Familiares de cidadãos e residentes permanentes dos EUA com petição "
                "familiar aprovada podiam aguardar nos EUA.",
                "Les proches de citoyens et résidents permanents américains avec une "
                "demande familiale approuvée pouvaient attendre aux États-Unis.",
                "Fanmi sitwayen ak rezidan pèmanan ameriken ki gen yon petisyon fanmi "
                "apwouve te ka tann Ozetazini.",
            ),
            D(2023, 7, 10),
            D(2025, 6, 11),
            [
                nationality_in(
                    ["CUB", "HTI", "COL", "SLV", "GTM", "HND", "ECU"], D(2023, 10, 18)
                ),
                custom(
                    "approved_petition",
                    "has_approved_family_petition",
                    (
                        "A family petition for you has been approved.",
                        "Hay una petición familiar aprobada a su favor.",
                        "Há uma petição familiar aprovada a seu favor.",
                        "Une demande familiale en votre faveur a été approuvée.",
                        "Gen yon petisyon fanmi ki apwouve pou ou.",
                    ),
                    (
                        "You need an approved family petition (Form I-130).",
                        "Necesita una petición familiar aprobada (Formulario I-130).",
                        "Você precisa de uma petição familiar aprovada (Formulário I-130).",
                        "Il vous faut une demande familiale approuvée (formulaire I-130).",
                        "Ou bezwen yon petisyon fanmi apwouve (Fòm I-130).",
                    ),
                    D(2023, 7, 10),
                ),
                family_in_state(
                    "USA",
                    ["spouse", "child", "parent", "sibling"],
                    ["citizen", "permanent_resident"],
                    D(2023, 7, 10),
                ),
            ],
            source_url="https://www.uscis.gov/FRP",
            notes="Cuban (2007, resumed 2023) and Haitian (2014) FRP, modernised and "
            "extended to Colombia, El Salvador, Guatemala, Honduras (2023) and Ecuador "
            "(2023-10). Only the US petitioner could start the process (by invitation). "
            "DHS terminated the processes in 2025 [verify closing date].",
            documents=["passport", "approval_notice", "family_relationship_proof"],
        ),
        pathway(
            "usa-chnv-parole",
            "USA",
            H.HUMANITARIAN,
            (
                "Parole processes for Cubans, Haitians, Nicaraguans and Venezuelans (CHNV)",
                "Procesos de parole para cubanos, haitianos, nicaragüenses y venezolanos",
                "Processos de parole para cubanos, haitianos, nicaraguenses e venezuelanos",
                "Procédures de parole pour Cubains, Haïtiens, Nicaraguayens et Vénézuéliens",
                "Pwosesis parole pou Kiben, Ayisyen, Nikaragwayen ak Venezyelyen",
            ),
            (
                "With a supporter in the US, up to 30,000 people a month could fly in for "
                "two years of parole with work permission.",
                "Con un patrocinador en EE. UU., hasta 30.000 personas al mes podían "
                "viajar en avión con dos años de parole y permiso de trabajo.",
                "Com um patrocinador nos EUA, até 30.000 pessoas por mês podiam viajar de "
                "avião com dois anos de parole e permissão de trabalho.",
                "Avec un garant aux États-Unis, jusqu'à 30 000 personnes par mois "
                "pouvaient venir en avion pour deux ans, avec permis de travail.",
                "Avèk yon moun k ap sipòte w Ozetazini, jiska 30 000 moun chak mwa te ka "
                "vini an avyon pou dezan, avèk otorizasyon travay.",
            ),
            D(2023, 1, 6),
            D(2025, 1, 20),
            [
                nationality_in(["CUB", "HTI", "NIC", "VEN"], D(2023, 1, 6)),
                custom(
                    "supporter",
                    "sponsor_in_us",
                    (
                        "You have a supporter in the United States.",
                        "Tiene un patrocinador en Estados Unidos.",
                        "Você tem um patrocinador nos Estados Unidos.",
                        "Vous avez un garant aux États-Unis.",
                        "Ou gen yon moun k ap sipòte w Ozetazini.",
                    ),
                    (
                        "You need a supporter in the United States.",
                        "Necesita un patrocinador en Estados Unidos.",
                        "Você precisa de um patrocinador nos Estados Unidos.",
                        "Il vous faut un garant aux États-Unis.",
                        "Ou bezwen yon moun k ap sipòte w Ozetazini.",
                    ),
                    D(2023, 1, 6),
                ),
                passport(D(2023, 1, 6)),
            ],
            source_url="https://www.uscis.gov/CHNV",
            notes="88 FR 1243, 1255, 1266, 1279 (2023). Simplified: also required "
            "vaccinations and security vetting; minors travel with parents. New "
            "travel authorisations stopped on 2025-01-20 [verify].",
            documents=["passport", "vaccination_card"],
            quota=30000,
            quota_unit="people per month (all four nationalities)",
        ),
        pathway(
            "usa-usrap-smo",
            "USA",
            H.RESETTLEMENT,
            (
                "US refugee resettlement through the Safe Mobility Offices",
                "Reasentamiento de refugiados en EE. UU. a través de las Oficinas de Movilidad Segura",
                "Reassentamento de refugiados nos EUA pelos Escritórios de Mobilidade Segura",
                "Réinstallation aux États-Unis via les bureaux de mobilité sûre",
                "Reyenstalasyon refijye Ozetazini atravè Biwo Mobilite Sekirize yo",
            ),
            (
                "People of certain nationalities in Colombia, Costa Rica, Ecuador or "
                "Guatemala could register online and be referred to the US refugee "
                "programme.",
                "Personas de ciertas nacionalidades en Colombia, Costa Rica, Ecuador o "
                "Guatemala podían registrarse en línea y ser remitidas al programa de "
                "refugiados de EE. UU.",
                "Pessoas de certas nacionalidades na Colômbia, Costa Rica, Equador ou "
                "Guatemala podiam se registrar on-line e ser encaminhadas ao programa de "
                "refugiados dos EUA.",
                "Des personnes de certaines nationalités en Colombie, au Costa Rica, en "
                "Équateur ou au Guatemala pouvaient s'inscrire en ligne et être orientées "
                "vers le programme américain pour réfugiés.",
                "Moun kèk nasyonalite ki te Kolonbi, Kostarika, Ekwatè oswa Gwatemala te "
                "ka enskri sou entènèt epi yo te ka voye yo nan pwogram refijye ameriken "
                "an.",
            ),
            D(2023, 6, 12),
            D(2025, 1, 20),
            [
                custom(
                    "host_and_nationality",
                    '(country_of_residence == "COL" && nationality in ["CUB", "HTI", "VEN"] '
                    '&& date_of_entry <= "2023-06-11") || (country_of_residence == "CRI" '
                    '&& nationality in ["NIC", "VEN"] && date_of_entry <= "2023-06-12") || '
                    '(country_of_residence == "ECU" && nationality in ["CUB", "HTI", "NIC", '
                    '"VEN", "COL"] && date_of_entry <= "2023-10-18") || '
                    '(country_of_residence == "GTM" && nationality == "GTM")',
                    (
                        "Your nationality, host country and arrival date are covered by a "
                        "Safe Mobility Office.",
                        "Su nacionalidad, país de acogida y fecha de llegada están cubiertos "
                        "por una Oficina de Movilidad Segura.",
                        "Sua nacionalidade, país de acolhida e data de chegada são cobertos "
                        "por um Escritório de Mobilidade Segura.",
                        "Votre nationalité, pays d'accueil et date d'arrivée sont couverts "
                        "par un bureau de mobilité sûre.",
                        "Nasyonalite ou, peyi k ap resevwa w la ak dat ou rive a kouvri pa "
                        "yon Biwo Mobilite Sekirize.",
                    ),
                    (
                        "No Safe Mobility Office covered your nationality, host country and "
                        "arrival date.",
                        "Ninguna Oficina de Movilidad Segura cubría su nacionalidad, país de "
                        "acogida y fecha de llegada.",
                        "Nenhum Escritório de Mobilidade Segura cobria sua nacionalidade, "
                        "país de acolhida e data de chegada.",
                        "Aucun bureau de mobilité sûre ne couvrait votre nationalité, votre "
                        "pays d'accueil et votre date d'arrivée.",
                        "Pa t gen Biwo Mobilite Sekirize ki te kouvri nasyonalite ou, peyi "
                        "w ye a ak dat ou rive a.",
                    ),
                    D(2023, 6, 12),
                ),
                protection_need(
                    ["asylum_seeker", "refugee", "stateless"], D(2023, 6, 12)
                ),
            ],
            source_url="https://movilidadsegura.org/en/",
            notes="Eligibility table from research/03 §1 (FAQ and press; criteria were "
            "never published as rules). Guatemalans were screened in Guatemala for "
            "other pathways too. Closed with the USRAP suspension of 2025-01-20.",
            documents=["identity_document", "proof_of_entry", "refugee_document"],
            quota=50000,
            quota_unit="refugee ceiling for Latin America and the Caribbean, FY2024",
        ),
        pathway(
            "can-humanitarian-family-americas",
            "CAN",
            H.HUMANITARIAN,
            (
                "Humanitarian pathway for Colombians, Haitians and Venezuelans with "
                "family in Canada",
                "Vía humanitaria para colombianos, haitianos y venezolanos con familia en "
                "Canadá",
                "Via humanitária para colombianos, haitianos e venezuelanos com família "
                "no Canadá",
                "Voie humanitaire pour les Colombiens, Haïtiens et Vénézuéliens ayant de "
                "la famille au Canada",
                "Chemen imanitè pou Kolonbyen, Ayisyen ak Venezyelyen ki gen fanmi "
                "Kanada",
            ),
            (
                "Permanent residence for people in Central or South America or the "
                "Caribbean whose close family in Canada supports them.",
                "Residencia permanente para personas en Centro o Sudamérica o el Caribe "
                "con familiares en Canadá que las apoyan.",
                "Residência permanente para pessoas na América Central, do Sul ou no "
                "Caribe com familiares no Canadá que as apoiam.",
                "Résidence permanente pour les personnes en Amérique centrale ou du Sud ou "
                "dans les Caraïbes soutenues par leur famille au Canada.",
                "Rezidans pèmanan pou moun ki nan Amerik Santral, Amerik di Sid oswa "
                "Karayib la, ki gen fanmi Kanada k ap sipòte yo.",
            ),
            D(2023, 11, 17),
            None,
            [
                adult(D(2023, 11, 17)),
                nationality_in(["COL", "HTI", "VEN"], D(2023, 11, 17)),
                custom(
                    "in_region",
                    f"country_of_residence in {_cel_list(AMERICAS_HOSTS)}",
                    (
                        "You live in Central or South America or the Caribbean.",
                        "Vive en Centroamérica, Sudamérica o el Caribe.",
                        "Você mora na América Central, do Sul ou no Caribe.",
                        "Vous vivez en Amérique centrale ou du Sud ou dans les Caraïbes.",
                        "Ou rete nan Amerik Santral, Amerik di Sid oswa Karayib la.",
                    ),
                    (
                        "You must live in Central or South America or the Caribbean.",
                        "Debe vivir en Centroamérica, Sudamérica o el Caribe.",
                        "Você precisa morar na América Central, do Sul ou no Caribe.",
                        "Vous devez vivre en Amérique centrale ou du Sud ou dans les Caraïbes.",
                        "Ou dwe rete nan Amerik Santral, Amerik di Sid oswa Karayib la.",
                    ),
                    D(2023, 11, 17),
                ),
                family_in_state(
                    "CAN",
                    [
                        "spouse",
                        "child",
                        "parent",
                        "sibling",
                        "grandparent",
                        "grandchild",
                    ],
                    ["citizen", "permanent_resident"],
                    D(2023, 11, 17),
                ),
            ],
            source_url="https://www.canada.ca/en/immigration-refugees-citizenship/services/refugees/humanitarian-pathway-colombia-haiti-venezuela.html",
            notes="Public policy of 2023-11-17; capped at 11,000 applications "
            "(15,000 people) and the anchor must sign a statutory declaration of "
            "support. Whether the intake is still open must be checked [verify].",
            documents=["passport", "family_relationship_proof", "sponsor_status_proof"],
            quota=11000,
            quota_unit="applications",
            destinations=["CAN"],
        ),
        pathway(
            "can-resettlement-americas",
            "CAN",
            H.RESETTLEMENT,
            (
                "Refugee resettlement to Canada from the Americas",
                "Reasentamiento de refugiados de las Américas en Canadá",
                "Reassentamento de refugiados das Américas no Canadá",
                "Réinstallation au Canada de réfugiés des Amériques",
                "Reyenstalasyon refijye ki soti nan Amerik yo nan Kanada",
            ),
            (
                "Canada welcomes 4,000 more refugees from the Americas by 2028, referred "
                "by UNHCR.",
                "Canadá recibirá a 4.000 refugiados más de las Américas hasta 2028, "
                "remitidos por ACNUR.",
                "O Canadá receberá mais 4.000 refugiados das Américas até 2028, "
                "encaminhados pelo ACNUR.",
                "Le Canada accueillera 4 000 réfugiés de plus des Amériques d'ici 2028, "
                "orientés par le HCR.",
                "Kanada ap resevwa 4 000 refijye anplis ki soti nan Amerik yo jiska 2028, "
                "HCR ap voye dosye yo.",
            ),
            D(2022, 6, 10),
            D(2028, 12, 31),
            [
                protection_need(["refugee"], D(2022, 6, 10)),
                custom(
                    "unhcr_referral",
                    "has_unhcr_referral",
                    (
                        "UNHCR has referred you for resettlement.",
                        "ACNUR lo ha remitido para reasentamiento.",
                        "O ACNUR encaminhou você para reassentamento.",
                        "Le HCR vous a orienté vers la réinstallation.",
                        "HCR voye dosye ou pou reyenstalasyon.",
                    ),
                    (
                        "Resettlement needs a referral by UNHCR; you cannot apply directly.",
                        "El reasentamiento requiere una remisión de ACNUR; no se puede "
                        "solicitar directamente.",
                        "O reassentamento exige encaminhamento do ACNUR; não é possível "
                        "solicitar diretamente.",
                        "La réinstallation exige une orientation du HCR ; on ne peut pas "
                        "postuler directement.",
                        "Reyenstalasyon bezwen HCR voye dosye a; ou pa ka aplike dirèkteman.",
                    ),
                    D(2022, 6, 10),
                ),
                custom(
                    "outside_own_country",
                    "country_of_residence != nationality",
                    (
                        "You are outside your country of nationality.",
                        "Está fuera de su país de nacionalidad.",
                        "Você está fora do seu país de nacionalidade.",
                        "Vous êtes hors de votre pays de nationalité.",
                        "Ou andeyò peyi nasyonalite ou.",
                    ),
                    (
                        "Refugees must be outside their country of nationality.",
                        "Las personas refugiadas deben estar fuera de su país.",
                        "Refugiados precisam estar fora do seu país.",
                        "Les réfugiés doivent être hors de leur pays.",
                        "Refijye yo dwe andeyò peyi yo.",
                    ),
                    D(2022, 6, 10),
                ),
            ],
            source_url="https://www.canada.ca/en/immigration-refugees-citizenship/services/refugees/help-outside-canada.html",
            notes="LAD commitment (2022-06-10): 4,000 additional people from the "
            "Americas by 2028, through the Government-Assisted Refugees programme. "
            "Simplified: the referral, not the applicant, drives the case.",
            documents=["refugee_document", "identity_document"],
            quota=4000,
            quota_unit="people by 2028",
        ),
        pathway(
            "can-sawp",
            "CAN",
            H.LABOUR,
            (
                "Seasonal Agricultural Worker Program (SAWP)",
                "Programa de Trabajadores Agrícolas Temporales (PTAT)",
                "Programa de Trabalhadores Agrícolas Sazonais (SAWP)",
                "Programme des travailleurs agricoles saisonniers (PTAS)",
                "Pwogram Travayè Agrikòl Sezonye (SAWP)",
            ),
            (
                "Workers from Mexico and the Caribbean work on Canadian farms for up to "
                "eight months a year, with housing provided.",
                "Trabajadores de México y el Caribe trabajan en granjas de Canadá hasta "
                "ocho meses al año, con vivienda.",
                "Trabalhadores do México e do Caribe trabalham em fazendas do Canadá por "
                "até oito meses por ano, com moradia.",
                "Des travailleurs du Mexique et des Caraïbes travaillent dans des fermes "
                "canadiennes jusqu'à huit mois par an, logés.",
                "Travayè ki soti Meksik ak Karayib la travay nan fèm Kanada jiska uit mwa "
                "chak ane, avèk kay.",
            ),
            D(1966, 1, 1),
            None,
            [
                adult(D(2000, 1, 1)),
                nationality_in(
                    [
                        "MEX",
                        "JAM",
                        "BRB",
                        "TTO",
                        "ATG",
                        "DMA",
                        "GRD",
                        "KNA",
                        "LCA",
                        "VCT",
                    ],
                    D(2000, 1, 1),
                ),
                job_offer("CAN", D(2000, 1, 1), AGRICULTURE_CEL, AGRI),
            ],
            source_url="https://www.canada.ca/en/employment-social-development/services/foreign-workers/agricultural/seasonal-agricultural.html",
            notes="Bilateral MOUs (Jamaica 1966, Mexico 1974, OECS). Recruitment is by "
            "the origin government (e.g. Mexico's STPS), which this rule represents "
            "as the job offer. Maximum stay 8 months; housing free.",
            documents=["passport", "job_offer_contract", "labour_market_approval"],
            destinations=["CAN"],
        ),
        pathway(
            "can-tfwp-agricultural",
            "CAN",
            H.LABOUR,
            (
                "Temporary Foreign Worker Program — agricultural stream",
                "Programa de Trabajadores Extranjeros Temporales — vertiente agrícola",
                "Programa de Trabalhadores Estrangeiros Temporários — vertente agrícola",
                "Programme des travailleurs étrangers temporaires — volet agricole",
                "Pwogram Travayè Etranje Tanporè — branch agrikòl",
            ),
            (
                "Canadian farms with an approved labour market impact assessment can hire "
                "workers of any nationality for up to two years.",
                "Granjas canadienses con evaluación de impacto laboral aprobada pueden "
                "contratar a trabajadores de cualquier nacionalidad hasta dos años.",
                "Fazendas canadenses com avaliação de impacto no mercado de trabalho "
                "aprovada podem contratar trabalhadores de qualquer nacionalidade por até "
                "dois anos.",
                "Les fermes canadiennes ayant une EIMT approuvée peuvent embaucher des "
                "travailleurs de toute nationalité jusqu'à deux ans.",
                "Fèm Kanada ki gen yon LMIA apwouve ka anboche travayè nenpòt nasyonalite "
                "pou jiska dezan.",
            ),
            D(2011, 1, 1),
            None,
            [
                adult(D(2011, 1, 1)),
                job_offer("CAN", D(2011, 1, 1), AGRICULTURE_CEL, AGRI),
            ],
            source_url="https://www.canada.ca/en/employment-social-development/services/foreign-workers/agricultural/agricultural.html",
            notes="Simplified: the employer's LMIA (labour market test) and the "
            "work-permit checks (admissibility, medical) are not screened here.",
            documents=["passport", "job_offer_contract", "labour_market_approval"],
            destinations=["CAN"],
        ),
        pathway(
            "can-empp",
            "CAN",
            H.LABOUR,
            (
                "Economic Mobility Pathways Pilot (EMPP)",
                "Programa Piloto de Vías de Movilidad Económica (EMPP)",
                "Programa Piloto de Vias de Mobilidade Econômica (EMPP)",
                "Projet pilote sur la voie d'accès à la mobilité économique (PPVME)",
                "Pwogram Pilòt Chemen Mobilite Ekonomik (EMPP)",
            ),
            (
                "Refugees with skills and a Canadian job offer can immigrate through "
                "economic programmes with extra support.",
                "Personas refugiadas con habilidades y una oferta de trabajo en Canadá "
                "pueden inmigrar por programas económicos con apoyo adicional.",
                "Refugiados com habilidades e oferta de emprego no Canadá podem imigrar "
                "por programas econômicos com apoio adicional.",
                "Les réfugiés qualifiés ayant une offre d'emploi au Canada peuvent "
                "immigrer par des programmes économiques avec un soutien accru.",
                "Refijye ki gen konpetans ak yon òf travay Kanada ka imigre atravè "
                "pwogram ekonomik avèk plis sipò.",
            ),
            D(2023, 6, 1),
            None,
            [
                protection_need(["refugee", "stateless"], D(2023, 6, 1)),
                job_offer("CAN", D(2023, 6, 1), None, ANY_JOB),
                custom(
                    "experience",
                    "years_experience >= 1",
                    (
                        "You have at least one year of work experience.",
                        "Tiene al menos un año de experiencia laboral.",
                        "Você tem pelo menos um ano de experiência profissional.",
                        "Vous avez au moins un an d'expérience professionnelle.",
                        "Ou gen omwen yon ane eksperyans travay.",
                    ),
                    (
                        "At least one year of work experience is needed.",
                        "Se necesita al menos un año de experiencia laboral.",
                        "É necessário pelo menos um ano de experiência profissional.",
                        "Il faut au moins un an d'expérience professionnelle.",
                        "Ou bezwen omwen yon ane eksperyans travay.",
                    ),
                    D(2023, 6, 1),
                ),
                custom(
                    "official_language",
                    'cefr_en >= "A2" || cefr_fr >= "A2"',
                    (
                        "Your English or French meets the minimum level.",
                        "Su inglés o francés alcanza el nivel mínimo.",
                        "Seu inglês ou francês atinge o nível mínimo.",
                        "Votre anglais ou votre français atteint le niveau minimal.",
                        "Angle oswa franse ou rive nan nivo minimòm nan.",
                    ),
                    (
                        "You need at least A2 in English or French.",
                        "Necesita al menos A2 en inglés o francés.",
                        "Você precisa de pelo menos A2 em inglês ou francês.",
                        "Il vous faut au moins A2 en anglais ou en français.",
                        "Ou bezwen omwen A2 an angle oswa an franse.",
                    ),
                    D(2023, 6, 1),
                ),
            ],
            source_url="https://www.canada.ca/en/immigration-refugees-citizenship/services/refugees/economic-mobility-pathways-pilot.html",
            notes="Federal job-offer stream (2023). Simplified: CLB 4 is approximated "
            "as CEFR A2; referral by a partner organisation (e.g. Talent Beyond "
            "Boundaries) is also required.",
            documents=[
                "refugee_document",
                "job_offer_contract",
                "language_certificate",
            ],
            destinations=["CAN"],
        ),
        pathway(
            "mex-tvtf",
            "MEX",
            H.LABOUR,
            (
                "Border Worker Visitor Card (TVTF)",
                "Tarjeta de Visitante Trabajador Fronterizo (TVTF)",
                "Cartão de Visitante Trabalhador Fronteiriço (TVTF)",
                "Carte de visiteur travailleur frontalier (TVTF)",
                "Kat Vizitè Travayè Fwontalye (TVTF)",
            ),
            (
                "Guatemalans and Belizeans with a job offer in Mexico's southern border "
                "states can work there legally, for up to a year, renewable.",
                "Personas de Guatemala y Belice con oferta de trabajo en los estados de la "
                "frontera sur de México pueden trabajar legalmente hasta un año, "
                "renovable.",
                "Guatemaltecos e belizenhos com oferta de emprego nos estados da fronteira "
                "sul do México podem trabalhar legalmente por até um ano, renovável.",
                "Les Guatémaltèques et Béliziens ayant une offre d'emploi dans les États "
                "frontaliers du sud du Mexique peuvent y travailler légalement jusqu'à un "
                "an, renouvelable.",
                "Gwatemalteyen ak Belizyen ki gen yon òf travay nan eta fwontyè sid Meksik "
                "yo ka travay la legalman pou jiska yon ane, renouvlab.",
            ),
            D(2008, 3, 12),
            None,
            [
                nationality_in(["GTM", "BLZ"], D(2012, 11, 9)),
                adult(D(2012, 11, 9)),
                job_offer(
                    "MEX",
                    D(2012, 11, 9),
                    'job_offer_subdivision in ["MX-CHP", "MX-TAB", "MX-CAM", "MX-ROO"]',
                    BORDER_JOB,
                ),
                identity_document(D(2012, 11, 9)),
            ],
            source_url="https://www.inm.gob.mx/mpublic/publico/inm-tramites.html",
            notes="Ley de Migración art. 52-IV and Lineamientos. Simplified: minors "
            "may apply with notarised parental permission; Belizeans need a passport "
            "(Guatemalans may use their ID); the employer must be registered with INM "
            "[verify current employer-registration rules and extension to SLV/HND].",
            documents=["identity_document", "job_offer_contract", "photo"],
            destinations=["MEX"],
        ),
        pathway(
            "mex-tvrh",
            "MEX",
            H.HUMANITARIAN,
            (
                "Visitor card for humanitarian reasons (TVRH)",
                "Tarjeta de Visitante por Razones Humanitarias (TVRH)",
                "Cartão de Visitante por Razões Humanitárias (TVRH)",
                "Carte de visiteur pour raisons humanitaires (TVRH)",
                "Kat Vizitè pou Rezon Imanitè (TVRH)",
            ),
            (
                "People who asked Mexico for refugee status can stay and work while COMAR "
                "decides.",
                "Quienes solicitaron la condición de refugiado en México pueden "
                "permanecer y trabajar mientras COMAR decide.",
                "Quem solicitou refúgio no México pode permanecer e trabalhar enquanto a "
                "COMAR decide.",
                "Les personnes ayant demandé l'asile au Mexique peuvent rester et "
                "travailler pendant que la COMAR décide.",
                "Moun ki mande estati refijye Meksik ka rete epi travay pandan COMAR ap "
                "deside.",
            ),
            D(2011, 5, 25),
            None,
            [
                lives_in("MEX", D(2011, 5, 25)),
                protection_need(["asylum_seeker"], D(2011, 5, 25)),
            ],
            source_url="https://www.gob.mx/comar",
            notes="Ley de Migración art. 52-V. Simplified: the card is also given to "
            "victims or witnesses of crimes and unaccompanied children, not screened "
            "here.",
            documents=["refugee_document", "photo"],
        ),
        pathway(
            "gtm-ptte",
            "GTM",
            H.LABOUR,
            (
                "Temporary Work Abroad Programme (Guatemala)",
                "Programa de Trabajo Temporal en el Extranjero (Guatemala)",
                "Programa de Trabalho Temporário no Exterior (Guatemala)",
                "Programme de travail temporaire à l'étranger (Guatemala)",
                "Pwogram Travay Tanporè Aletranje (Gwatemala)",
            ),
            (
                "Guatemala's labour ministry registers workers for free and refers them "
                "to seasonal jobs in Canada, Mexico and the United States.",
                "El Ministerio de Trabajo de Guatemala registra gratis a trabajadores y "
                "los refiere a empleos temporales en Canadá, México y Estados Unidos.",
                "O Ministério do Trabalho da Guatemala registra trabalhadores "
                "gratuitamente e os encaminha a empregos sazonais no Canadá, México e "
                "Estados Unidos.",
                "Le ministère du Travail du Guatemala inscrit gratuitement des "
                "travailleurs et les oriente vers des emplois saisonniers au Canada, au "
                "Mexique et aux États-Unis.",
                "Ministè Travay Gwatemala enskri travayè gratis epi voye yo nan travay "
                "sezonye Kanada, Meksik ak Etazini.",
            ),
            D(2021, 5, 1),
            None,
            [
                nationality_in(["GTM"], D(2021, 5, 1)),
                adult(D(2021, 5, 1)),
                passport(D(2021, 5, 1)),
            ],
            source_url="https://tuempleo.mintrabajo.gob.gt",
            notes="Run by MINTRAB with MINEX; registration on the Tu Empleo portal; "
            "services are free. Workers then need the destination visa (H-2A/H-2B, "
            "SAWP, TVTF), screened separately.",
            documents=["passport", "national_id"],
            destinations=["CAN", "MEX", "USA"],
        ),
        pathway(
            "bra-humanitarian-visa-haiti",
            "BRA",
            H.HUMANITARIAN,
            (
                "Humanitarian reception visa for Haitians",
                "Visa de acogida humanitaria para haitianos",
                "Visto temporário de acolhida humanitária para haitianos",
                "Visa d'accueil humanitaire pour les Haïtiens",
                "Viza akèy imanitè pou Ayisyen",
            ),
            (
                "Haitians can get a Brazilian visa for humanitarian reception, then "
                "two-year residence with the right to work.",
                "Las personas haitianas pueden obtener una visa brasileña de acogida "
                "humanitaria y luego residencia de dos años con derecho a trabajar.",
                "Haitianos podem obter visto de acolhida humanitária e depois residência "
                "de dois anos com direito a trabalhar.",
                "Les Haïtiens peuvent obtenir un visa brésilien d'accueil humanitaire, "
                "puis une résidence de deux ans avec le droit de travailler.",
                "Ayisyen ka jwenn yon viza akèy imanitè pou Brezil, apre sa yon rezidans "
                "dezan avèk dwa pou travay.",
            ),
            D(2023, 1, 1),
            D(2026, 12, 31),
            [
                nationality_in(["HTI"], D(2023, 1, 1)),
                lives_outside("BRA", D(2023, 1, 1)),
                passport(D(2023, 1, 1)),
                no_criminal_record(D(2023, 1, 1)),
            ],
            source_url="https://www.gov.br/mre/pt-br/assuntos/portal-consular/vistos/visto-temporario-de-acolhida-humanitaria",
            notes="Lei 13.445/2017 art. 14 §3; Portaria Interministerial MJSP/MRE for "
            "Haitians, renewed periodically [verify current portaria and its end "
            "date]. Issued by the embassy in Port-au-Prince and other consulates.",
            documents=["passport", "criminal_record_certificate", "photo"],
            destinations=["BRA"],
        ),
        pathway(
            "bra-venezuelan-residence",
            "BRA",
            H.REGULARISATION,
            (
                "Residence authorisation for Venezuelans in Brazil",
                "Autorización de residencia para venezolanos en Brasil",
                "Autorização de residência para venezuelanos no Brasil",
                "Autorisation de résidence pour les Vénézuéliens au Brésil",
                "Otorizasyon rezidans pou Venezyelyen nan Brezil",
            ),
            (
                "Venezuelans in Brazil can get residence with the right to work, whatever "
                "their manner of entry.",
                "Las personas venezolanas en Brasil pueden obtener residencia con derecho "
                "a trabajar, sin importar cómo entraron.",
                "Venezuelanos no Brasil podem obter residência com direito a trabalhar, "
                "independentemente da forma de entrada.",
                "Les Vénézuéliens au Brésil peuvent obtenir une résidence avec le droit de "
                "travailler, quelle que soit leur entrée.",
                "Venezyelyen nan Brezil ka jwenn rezidans avèk dwa pou travay, kèlkeswa "
                "jan yo te antre.",
            ),
            D(2021, 6, 23),
            None,
            [
                nationality_in(["VEN"], D(2021, 6, 23)),
                lives_in("BRA", D(2021, 6, 23)),
                no_criminal_record(D(2021, 6, 23)),
            ],
            source_url="https://www.gov.br/pf/pt-br/assuntos/imigracao",
            notes="Portaria Interministerial MJSP/MRE nº 19/2021. Simplified: the "
            "criminal-record declaration covers the last five years.",
            documents=["identity_document", "criminal_record_certificate"],
        ),
        pathway(
            "bra-acolhida-interiorizacao",
            "BRA",
            H.HUMANITARIAN,
            (
                "Operação Acolhida — voluntary relocation (interiorização)",
                "Operación Acogida — reubicación voluntaria (interiorización)",
                "Operação Acolhida — interiorização voluntária",
                "Opération Accueil — relocalisation volontaire (interiorização)",
                "Operasyon Akèy — deplasman volontè (interiorização)",
            ),
            (
                "Venezuelans in Roraima or Amazonas can move, free, to another Brazilian "
                "city: to a shelter, family, friends or a signalled job.",
                "Venezolanos en Roraima o Amazonas pueden mudarse gratis a otra ciudad "
                "brasileña: a un albergue, con familia, amigos o a un empleo.",
                "Venezuelanos em Roraima ou no Amazonas podem se mudar, de graça, para "
                "outra cidade brasileira: abrigo, família, amigos ou vaga de emprego.",
                "Les Vénézuéliens au Roraima ou en Amazonas peuvent partir gratuitement "
                "vers une autre ville du Brésil : foyer, famille, amis ou emploi.",
                "Venezyelyen ki Roraima oswa Amazonas ka deplase gratis al nan yon lòt "
                "vil Brezil: abri, fanmi, zanmi oswa yon travay.",
            ),
            D(2018, 4, 5),
            None,
            [
                nationality_in(["VEN"], D(2018, 4, 5)),
                custom(
                    "in_north",
                    'subdivision_of_residence in ["BR-RR", "BR-AM"]',
                    (
                        "You live in Roraima or Amazonas.",
                        "Vive en Roraima o Amazonas.",
                        "Você mora em Roraima ou no Amazonas.",
                        "Vous vivez au Roraima ou en Amazonas.",
                        "Ou rete Roraima oswa Amazonas.",
                    ),
                    (
                        "Relocation starts from Roraima or Amazonas.",
                        "La reubicación parte de Roraima o Amazonas.",
                        "A interiorização parte de Roraima ou do Amazonas.",
                        "La relocalisation part du Roraima ou de l'Amazonas.",
                        "Deplasman an kòmanse Roraima oswa Amazonas.",
                    ),
                    D(2018, 4, 5),
                ),
                custom(
                    "regular_status",
                    "has_regular_status",
                    (
                        "Your migration status in Brazil is regular.",
                        "Su situación migratoria en Brasil es regular.",
                        "Sua situação migratória no Brasil é regular.",
                        "Votre situation migratoire au Brésil est régulière.",
                        "Sitiyasyon imigrasyon ou nan Brezil an règ.",
                    ),
                    (
                        "You first need a residence permit or refugee protocol in Brazil.",
                        "Primero necesita residencia o protocolo de refugio en Brasil.",
                        "Primeiro você precisa de residência ou protocolo de refúgio.",
                        "Il vous faut d'abord un titre de séjour ou un protocole de refuge.",
                        "Ou bezwen rezidans oswa pwotokòl refij nan Brezil anvan.",
                    ),
                    D(2018, 4, 5),
                ),
                custom(
                    "vaccinated",
                    "is_vaccinated",
                    (
                        "Your vaccinations are up to date.",
                        "Tiene las vacunas al día.",
                        "Suas vacinas estão em dia.",
                        "Vos vaccins sont à jour.",
                        "Vaksen ou yo ajou.",
                    ),
                    (
                        "Your vaccinations must be up to date before travel.",
                        "Debe tener las vacunas al día antes de viajar.",
                        "Suas vacinas precisam estar em dia antes da viagem.",
                        "Vos vaccins doivent être à jour avant le voyage.",
                        "Vaksen ou yo dwe ajou anvan vwayaj la.",
                    ),
                    D(2018, 4, 5),
                ),
                custom(
                    "voluntary",
                    "accepts_relocation",
                    (
                        "You agree, freely, to relocate.",
                        "Acepta libremente reubicarse.",
                        "Você aceita livremente a interiorização.",
                        "Vous acceptez librement de partir.",
                        "Ou dakò libman pou deplase.",
                    ),
                    (
                        "Relocation is only with your free agreement.",
                        "La reubicación solo se hace con su libre acuerdo.",
                        "A interiorização só acontece com seu livre acordo.",
                        "La relocalisation ne se fait qu'avec votre libre accord.",
                        "Deplasman an fèt sèlman si ou dakò libman.",
                    ),
                    D(2018, 4, 5),
                ),
            ],
            source_url="https://www.gov.br/mds/pt-br/acoes-e-programas/operacao-acolhida",
            notes="Lei 13.684/2018; Decreto 9.970/2019. Modalities: institutional, "
            "family reunification, social reunion, signalled job vacancy (VES). A "
            "medical assessment and the signed voluntariness form are done in person.",
            documents=["identity_document", "vaccination_card"],
        ),
        pathway(
            "bra-pec-g",
            "BRA",
            H.STUDY,
            (
                "PEC-G undergraduate study programme",
                "Programa de Estudiantes-Convenio de Grado (PEC-G)",
                "Programa de Estudantes-Convênio de Graduação (PEC-G)",
                "Programme étudiants-convention de premier cycle (PEC-G)",
                "Pwogram Etidyan-Konvansyon Lisans (PEC-G)",
            ),
            (
                "Free undergraduate places at Brazilian public universities for students "
                "from partner countries.",
                "Plazas gratuitas de grado en universidades públicas brasileñas para "
                "estudiantes de países socios.",
                "Vagas gratuitas de graduação em universidades públicas brasileiras para "
                "estudantes de países parceiros.",
                "Places gratuites de premier cycle dans les universités publiques "
                "brésiliennes pour les étudiants des pays partenaires.",
                "Plas gratis nan inivèsite piblik Brezil pou etidyan ki soti nan peyi "
                "patnè yo.",
            ),
            D(1965, 1, 1),
            None,
            [
                adult(D(2013, 1, 1)),
                custom(
                    "secondary_done",
                    "education_level >= 3",
                    (
                        "You have completed secondary school.",
                        "Ha terminado la educación secundaria.",
                        "Você concluiu o ensino médio.",
                        "Vous avez terminé l'enseignement secondaire.",
                        "Ou fini lekòl segondè.",
                    ),
                    (
                        "You must have completed secondary school.",
                        "Debe haber terminado la educación secundaria.",
                        "Você precisa ter concluído o ensino médio.",
                        "Vous devez avoir terminé l'enseignement secondaire.",
                        "Ou dwe fini lekòl segondè.",
                    ),
                    D(2013, 1, 1),
                ),
                lives_outside("BRA", D(2013, 1, 1)),
                custom(
                    "portuguese",
                    'cefr_pt >= "B1"',
                    (
                        "Your Portuguese is at least B1 (Celpe-Bras intermediate).",
                        "Su portugués es al menos B1 (Celpe-Bras intermedio).",
                        "Seu português é pelo menos B1 (Celpe-Bras intermediário).",
                        "Votre portugais est au moins B1 (Celpe-Bras intermédiaire).",
                        "Pòtigè ou omwen B1 (Celpe-Bras entèmedyè).",
                    ),
                    (
                        "You need Portuguese at B1 (Celpe-Bras) before enrolling.",
                        "Necesita portugués B1 (Celpe-Bras) antes de matricularse.",
                        "Você precisa de português B1 (Celpe-Bras) antes da matrícula.",
                        "Il vous faut le portugais B1 (Celpe-Bras) avant l'inscription.",
                        "Ou bezwen pòtigè B1 (Celpe-Bras) anvan enskripsyon.",
                    ),
                    D(2013, 1, 1),
                ),
            ],
            source_url="https://www.gov.br/mec/pt-br/pec-g",
            notes="Decreto 7.948/2013. Simplified: the list of partner countries, the "
            "age limit and the proof of financial means are not screened; Celpe-Bras "
            "can be taken after arrival through PEC-PLE [verify].",
            documents=["passport", "education_certificate", "language_certificate"],
            destinations=["BRA"],
        ),
        pathway(
            "cri-special-temporary-category",
            "CRI",
            H.REGULARISATION,
            (
                "Special temporary category for Cubans, Nicaraguans and Venezuelans",
                "Categoría especial temporal para cubanos, nicaragüenses y venezolanos",
                "Categoria especial temporária para cubanos, nicaraguenses e venezuelanos",
                "Catégorie temporaire spéciale pour Cubains, Nicaraguayens et Vénézuéliens",
                "Kategori espesyal tanporè pou Kiben, Nikaragwayen ak Venezyelyen",
            ),
            (
                "Refugee applicants from these countries could switch to a two-year "
                "permit with the right to work.",
                "Solicitantes de refugio de estos países podían pasar a un permiso de dos "
                "años con derecho a trabajar.",
                "Solicitantes de refúgio desses países podiam mudar para uma autorização "
                "de dois anos com direito a trabalhar.",
                "Les demandeurs d'asile de ces pays pouvaient passer à un permis de deux "
                "ans avec le droit de travailler.",
                "Demandè azil ki soti nan peyi sa yo te ka pase nan yon pèmi dezan avèk "
                "dwa pou travay.",
            ),
            D(2023, 3, 1),
            D(2024, 3, 1),
            [
                nationality_in(["CUB", "NIC", "VEN"], D(2023, 3, 1)),
                lives_in("CRI", D(2023, 3, 1)),
                protection_need(["asylum_seeker"], D(2023, 3, 1)),
                entered_by(D(2022, 9, 30), D(2023, 3, 1)),
                no_criminal_record(D(2023, 3, 1)),
            ],
            source_url="https://www.migracion.go.cr/Paginas/Categor%C3%ADas%20Migratorias/Categor%C3%ADa%20Especial%20Temporal.aspx",
            notes="Decreto 43809-MGP (2022). Covers refugee applications filed "
            "2010-01-01 to 2022-09-30 (approximated by the date of entry), rejected or "
            "pending; applicants drop the asylum claim. Application window [verify].",
            documents=[
                "identity_document",
                "refugee_document",
                "criminal_record_certificate",
            ],
        ),
        pathway(
            "ecu-virte",
            "ECU",
            H.REGULARISATION,
            (
                "Exceptional temporary residence visa for Venezuelans (VIRTE)",
                "Visa de Residencia Temporal de Excepción para venezolanos (VIRTE)",
                "Visto de residência temporária de exceção para venezuelanos (VIRTE)",
                "Visa de résidence temporaire d'exception pour Vénézuéliens (VIRTE)",
                "Viza rezidans tanporè eksepsyonèl pou Venezyelyen (VIRTE)",
            ),
            (
                "Venezuelans who entered Ecuador regularly could regularise with a two-year "
                "visa.",
                "Venezolanos que entraron regularmente a Ecuador podían regularizarse con "
                "una visa de dos años.",
                "Venezuelanos que entraram regularmente no Equador podiam se regularizar "
                "com um visto de dois anos.",
                "Les Vénézuéliens entrés régulièrement en Équateur pouvaient se "
                "régulariser avec un visa de deux ans.",
                "Venezyelyen ki te antre Ekwatè legalman te ka regilarize ak yon viza "
                "dezan.",
            ),
            D(2022, 9, 1),
            D(2024, 4, 30),
            [
                nationality_in(["VEN"], D(2022, 9, 1)),
                lives_in("ECU", D(2022, 9, 1)),
                custom(
                    "entered_regularly",
                    "entered_regularly",
                    (
                        "You entered through an official border post.",
                        "Entró por un puesto fronterizo oficial.",
                        "Você entrou por um posto de fronteira oficial.",
                        "Vous êtes entré par un poste-frontière officiel.",
                        "Ou te antre pa yon pòs fwontyè ofisyèl.",
                    ),
                    (
                        "Only people who entered through an official border post qualify.",
                        "Solo califican quienes entraron por un puesto fronterizo oficial.",
                        "Só se qualifica quem entrou por um posto de fronteira oficial.",
                        "Seules les personnes entrées par un poste-frontière officiel sont "
                        "admissibles.",
                        "Se sèlman moun ki te antre pa yon pòs fwontyè ofisyèl ki kalifye.",
                    ),
                    D(2022, 9, 1),
                ),
                entered_by(D(2022, 6, 1), D(2022, 9, 1)),
                no_criminal_record(D(2022, 9, 1)),
            ],
            source_url="https://www.cancilleria.gob.ec/2022/09/01/proceso-de-regularizacion/",
            notes="Decreto Ejecutivo 436 (2022-06-01); LAD commitment. Extended in "
            "2023 to other nationalities who entered regularly before 2022-09-16 "
            "(not modelled here) [verify windows].",
            documents=["passport", "proof_of_entry", "criminal_record_certificate"],
            quota=500000,
            quota_unit="people (estimate)",
        ),
        pathway(
            "blz-amnesty-2022",
            "BLZ",
            H.REGULARISATION,
            (
                "Belize amnesty programme 2022",
                "Programa de amnistía de Belice 2022",
                "Programa de anistia de Belize 2022",
                "Programme d'amnistie du Belize 2022",
                "Pwogram amnisti Beliz 2022",
            ),
            (
                "Central American and CARICOM nationals living in Belize without status "
                "for years could apply for permanent residence.",
                "Nacionales de Centroamérica y CARICOM que vivían en Belice sin estatus "
                "por años podían solicitar residencia permanente.",
                "Nacionais da América Central e do CARICOM que viviam em Belize sem "
                "status havia anos podiam pedir residência permanente.",
                "Les ressortissants d'Amérique centrale et de la CARICOM vivant au Belize "
                "sans statut depuis des années pouvaient demander la résidence permanente.",
                "Moun Amerik Santral ak CARICOM ki t ap viv Beliz san estati pandan plizyè "
                "ane te ka mande rezidans pèmanan.",
            ),
            D(2022, 8, 15),
            D(2023, 3, 31),
            [
                nationality_in(
                    CENTRAL_AMERICA + CARICOM,
                    D(2022, 8, 15),
                    T(
                        "a Central American or CARICOM state",
                        "un Estado de Centroamérica o de CARICOM",
                        "um Estado da América Central ou do CARICOM",
                        "un État d'Amérique centrale ou de la CARICOM",
                        "yon peyi Amerik Santral oswa CARICOM",
                    ),
                ),
                lives_in("BLZ", D(2022, 8, 15)),
                entered_by(D(2016, 12, 31), D(2022, 8, 15)),
            ],
            source_url="https://mirps-platform.org/en/resources/good-practices/belize-amnesty-program/",
            notes="Cabinet-approved amnesty, August 2022; 12,765 applications by "
            "2023-03-31. Simplified: asylum seekers who arrived by 2020 and children "
            "born in Belize had separate cut-offs [verify].",
            documents=["identity_document", "proof_of_residence", "photo"],
        ),
        pathway(
            "chl-family-reunification",
            "CHL",
            H.FAMILY,
            (
                "Temporary residence for family reunification (Chile)",
                "Residencia temporal por reunificación familiar (Chile)",
                "Residência temporária por reunificação familiar (Chile)",
                "Résidence temporaire pour regroupement familial (Chili)",
                "Rezidans tanporè pou reyinifikasyon fanmi (Chili)",
            ),
            (
                "Spouses, children and parents of Chileans or residents can join them in "
                "Chile.",
                "Cónyuges, hijos y padres de chilenos o residentes pueden reunirse con "
                "ellos en Chile.",
                "Cônjuges, filhos e pais de chilenos ou residentes podem se reunir a eles "
                "no Chile.",
                "Les conjoints, enfants et parents de Chiliens ou de résidents peuvent les "
                "rejoindre au Chili.",
                "Mari, madanm, pitit ak paran Chilyen oswa rezidan ka vin jwenn yo Chili.",
            ),
            D(2022, 2, 12),
            None,
            [
                family_in_state(
                    "CHL",
                    ["spouse", "child", "parent"],
                    ["citizen", "permanent_resident", "temporary_resident"],
                    D(2022, 2, 12),
                ),
                no_criminal_record(D(2022, 2, 12)),
                passport(D(2022, 2, 12)),
            ],
            source_url="https://serviciomigraciones.cl/residencia-temporal/",
            notes="Ley 21.325 (2021) and Decreto 177 (2022), subcategory for family "
            "reunification. Simplified: applied from abroad; the sponsor's own "
            "residence category matters for some relatives.",
            documents=[
                "passport",
                "family_relationship_proof",
                "criminal_record_certificate",
            ],
        ),
        pathway(
            "per-cpp-2023",
            "PER",
            H.REGULARISATION,
            (
                "Temporary Stay Permit Card (CPP) 2023",
                "Carné de Permiso Temporal de Permanencia (CPP) 2023",
                "Carteira de Permissão Temporária de Permanência (CPP) 2023",
                "Carte de permis de séjour temporaire (CPP) 2023",
                "Kat Pèmi Sejou Tanporè (CPP) 2023",
            ),
            (
                "Foreigners in Peru without regular status could get a one-year permit "
                "with the right to work.",
                "Personas extranjeras en Perú en situación irregular podían obtener un "
                "permiso de un año con derecho a trabajar.",
                "Estrangeiros no Peru em situação irregular podiam obter uma autorização "
                "de um ano com direito a trabalhar.",
                "Les étrangers en situation irrégulière au Pérou pouvaient obtenir un "
                "permis d'un an avec le droit de travailler.",
                "Etranje nan Pewou ki pa t an règ te ka jwenn yon pèmi yon ane avèk dwa "
                "pou travay.",
            ),
            D(2023, 5, 11),
            D(2024, 11, 10),
            [
                lives_in("PER", D(2023, 5, 11)),
                entered_by(D(2023, 5, 10), D(2023, 5, 11)),
                custom(
                    "irregular",
                    "!has_regular_status",
                    (
                        "You do not have a regular status in Peru now.",
                        "Ahora no tiene situación migratoria regular en Perú.",
                        "Você não tem situação migratória regular no Peru agora.",
                        "Vous n'avez pas actuellement de statut régulier au Pérou.",
                        "Ou pa gen estati an règ nan Pewou kounye a.",
                    ),
                    (
                        "This permit is for people without a regular status; you already "
                        "have one.",
                        "Este permiso es para personas sin situación regular; usted ya la "
                        "tiene.",
                        "Esta autorização é para quem não tem situação regular; você já tem.",
                        "Ce permis est pour les personnes sans statut régulier ; vous en "
                        "avez déjà un.",
                        "Pèmi sa a se pou moun ki pa an règ; ou deja an règ.",
                    ),
                    D(2023, 5, 11),
                ),
            ],
            source_url="https://www.gob.pe/institucion/migraciones/campañas/14457-permiso-temporal-de-permanencia-cpp",
            notes="Decreto Supremo 003-2023-IN; 2023 overstay-fine amnesty (LAD seed). "
            "Simplified: the real window and later extensions [verify].",
            documents=["identity_document", "proof_of_entry"],
        ),
        pathway(
            "pan-friendly-nations",
            "PAN",
            H.LABOUR,
            (
                "Residence for nationals of friendly nations (Panama)",
                "Residencia para nacionales de países amigos (Panamá)",
                "Residência para nacionais de países amigos (Panamá)",
                "Résidence pour les ressortissants de pays amis (Panama)",
                "Rezidans pou moun ki soti nan peyi zanmi (Panama)",
            ),
            (
                "Nationals of listed countries with a job in Panama can get residence and "
                "a work permit.",
                "Nacionales de países de la lista con empleo en Panamá pueden obtener "
                "residencia y permiso de trabajo.",
                "Nacionais de países da lista com emprego no Panamá podem obter "
                "residência e autorização de trabalho.",
                "Les ressortissants des pays listés ayant un emploi au Panama peuvent "
                "obtenir une résidence et un permis de travail.",
                "Moun ki soti nan peyi ki sou lis la epi ki gen yon travay Panama ka "
                "jwenn rezidans ak pèmi travay.",
            ),
            D(2012, 5, 16),
            None,
            [
                nationality_in(
                    [
                        "ARG",
                        "BRA",
                        "CAN",
                        "CHL",
                        "CRI",
                        "MEX",
                        "PRY",
                        "PER",
                        "URY",
                        "USA",
                    ],
                    D(2021, 1, 1),
                    T(
                        "a country on Panama's friendly-nations list",
                        "un país de la lista de países amigos de Panamá",
                        "um país da lista de países amigos do Panamá",
                        "un pays de la liste des pays amis du Panama",
                        "yon peyi ki sou lis peyi zanmi Panama",
                    ),
                ),
                job_offer("PAN", D(2021, 1, 1), None, ANY_JOB),
                no_criminal_record(D(2012, 5, 16)),
                passport(D(2012, 5, 16)),
            ],
            source_url="https://www.migracion.gob.pa/",
            notes="Decreto Ejecutivo 343 de 2012, amended 2021 to require an "
            "employment relationship or economic activity. The nationality list is an "
            "Americas subset and must be checked against the current decree [verify].",
            documents=["passport", "job_offer_contract", "criminal_record_certificate"],
            destinations=["PAN"],
        ),
        pathway(
            "pry-regularisation-2023",
            "PRY",
            H.REGULARISATION,
            (
                "Paraguay migration regularisation 2023",
                "Regularización migratoria de Paraguay 2023",
                "Regularização migratória do Paraguai 2023",
                "Régularisation migratoire du Paraguay 2023",
                "Regilarizasyon imigrasyon Paragwe 2023",
            ),
            (
                "People who entered Paraguay from 2019 to 2022 and stayed without status "
                "could regularise.",
                "Quienes entraron a Paraguay entre 2019 y 2022 y quedaron sin estatus "
                "podían regularizarse.",
                "Quem entrou no Paraguai de 2019 a 2022 e ficou sem status podia se "
                "regularizar.",
                "Les personnes entrées au Paraguay de 2019 à 2022 et restées sans statut "
                "pouvaient se régulariser.",
                "Moun ki te antre Paragwe ant 2019 ak 2022 epi ki te rete san estati te ka "
                "regilarize.",
            ),
            D(2023, 3, 1),
            D(2024, 3, 1),
            [
                lives_in("PRY", D(2023, 3, 1)),
                entered_between(D(2019, 1, 1), D(2022, 12, 31), D(2023, 3, 1)),
                no_criminal_record(D(2023, 3, 1)),
            ],
            source_url="https://www.migracionesparaguay.gov.py/",
            notes="Reported by press (LAD seed, March 2023); the legal instrument, "
            "window and criteria need the primary text [verify].",
            documents=[
                "identity_document",
                "proof_of_entry",
                "criminal_record_certificate",
            ],
        ),
        pathway(
            "arg-mercosur-residence",
            "ARG",
            H.REGULARISATION,
            (
                "Mercosur temporary residence (Argentina)",
                "Residencia temporaria Mercosur (Argentina)",
                "Residência temporária Mercosul (Argentina)",
                "Résidence temporaire Mercosur (Argentine)",
                "Rezidans tanporè Mercosur (Ajantin)",
            ),
            (
                "Nationals of Mercosur and associated states get two years of residence "
                "in Argentina, then permanent residence.",
                "Nacionales del Mercosur y Estados asociados obtienen dos años de "
                "residencia en Argentina y luego la permanente.",
                "Nacionais do Mercosul e Estados associados obtêm dois anos de residência "
                "na Argentina e depois a permanente.",
                "Les ressortissants du Mercosur et des États associés obtiennent deux ans "
                "de résidence en Argentine, puis la résidence permanente.",
                "Moun Mercosur ak peyi asosye yo jwenn dezan rezidans Ajantin, apre sa "
                "rezidans pèmanan.",
            ),
            D(2004, 1, 21),
            None,
            [
                nationality_in(
                    MERCOSUR,
                    D(2004, 1, 21),
                    T(
                        "a Mercosur or associated state",
                        "un Estado del Mercosur o asociado",
                        "um Estado do Mercosul ou associado",
                        "un État du Mercosur ou associé",
                        "yon peyi Mercosur oswa asosye",
                    ),
                ),
                identity_document(D(2004, 1, 21)),
                no_criminal_record(D(2004, 1, 21)),
            ],
            source_url="https://www.argentina.gob.ar/servicio/tramitar-la-residencia-temporaria-para-nacionales-del-mercosur",
            notes="Ley 25.871 art. 23(lang); Mercosur Residence Agreement. Simplified: "
            "the criminal-record certificate covers the last three years.",
            documents=["identity_document", "criminal_record_certificate", "photo"],
        ),
        pathway(
            "jam-csme-skills",
            "JAM",
            H.LABOUR,
            (
                "CARICOM Skills Certificate (Jamaica)",
                "Certificado de Habilidades de CARICOM (Jamaica)",
                "Certificado de Habilidades da CARICOM (Jamaica)",
                "Certificat de compétences de la CARICOM (Jamaïque)",
                "Sètifika Konpetans CARICOM (Jamayik)",
            ),
            (
                "CARICOM nationals with a degree or a qualifying skill can live and work "
                "in Jamaica without a work permit.",
                "Nacionales de CARICOM con título o habilidad calificada pueden vivir y "
                "trabajar en Jamaica sin permiso de trabajo.",
                "Nacionais da CARICOM com diploma ou habilidade qualificada podem viver e "
                "trabalhar na Jamaica sem autorização de trabalho.",
                "Les ressortissants de la CARICOM diplômés ou qualifiés peuvent vivre et "
                "travailler en Jamaïque sans permis de travail.",
                "Moun CARICOM ki gen diplòm oswa yon konpetans ki kalifye ka viv epi "
                "travay Jamayik san pèmi travay.",
            ),
            D(2006, 1, 1),
            None,
            [
                nationality_in(
                    [c for c in CARICOM if c not in ("HTI", "BHS", "JAM")],
                    D(2006, 1, 1),
                    T(
                        "a CSME participating state",
                        "un Estado participante del CSME",
                        "um Estado participante do CSME",
                        "un État participant au CSME",
                        "yon peyi ki patisipe nan CSME",
                    ),
                ),
                custom(
                    "qualified",
                    "education_level >= 6 || education_level == 4",
                    (
                        "You have a degree or a vocational qualification that counts.",
                        "Tiene un título o una calificación técnica válida.",
                        "Você tem diploma ou qualificação técnica válida.",
                        "Vous avez un diplôme ou une qualification professionnelle reconnue.",
                        "Ou gen yon diplòm oswa yon kalifikasyon pwofesyonèl ki konte.",
                    ),
                    (
                        "You need a university degree or a recognised vocational "
                        "qualification.",
                        "Necesita un título universitario o una calificación técnica "
                        "reconocida.",
                        "Você precisa de diploma universitário ou qualificação técnica "
                        "reconhecida.",
                        "Il vous faut un diplôme universitaire ou une qualification "
                        "professionnelle reconnue.",
                        "Ou bezwen yon diplòm inivèsite oswa yon kalifikasyon pwofesyonèl "
                        "rekonèt.",
                    ),
                    D(2006, 1, 1),
                ),
                passport(D(2006, 1, 1)),
            ],
            source_url="https://csmeonline.org/en/whats-in-it-for-me/item/130-social-security-in-caricom",
            notes="CARICOM Skilled Nationals Act. Simplified: the qualifying categories "
            "(graduates, artisans with CVQ, nurses, teachers, domestic workers...) are "
            "approximated by ISCED 6+ or a post-secondary vocational level (4); Haiti "
            "and the Bahamas do not participate in free movement of skills.",
            documents=[
                "passport",
                "education_certificate",
                "criminal_record_certificate",
            ],
        ),
    ]


def write_seed_catalogue() -> None:
    """Regenerate `data/catalogue.json`, signed with the DEMO keys."""
    write_demo_catalogue(
        seeded_pathways(), version=CATALOGUE_VERSION, published_on=PUBLISHED_ON
    )


if __name__ == "__main__":
    write_seed_catalogue()
