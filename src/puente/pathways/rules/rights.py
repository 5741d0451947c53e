"""The worker's rights card for one job offer, in plain words, in five languages.

Built from the offer's data and the fair-recruitment principles it was checked
against, so what the card promises is what the checks enforced. Also the plain
labels of screening outcomes, which a person reads over an officer's shoulder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.facts import LANGUAGES
from puente.pathways.rules.fair_recruitment import JobOffer, Payer

OUTCOME_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "eligible": "You can apply",
        "not_eligible": "Not for you",
        "undetermined": "We need more information",
    },
    "es": {
        "eligible": "Puede postular",
        "not_eligible": "No le corresponde",
        "undetermined": "Necesitamos más información",
    },
    "pt": {
        "eligible": "Elegível: você pode se candidatar",
        "not_eligible": "Não se aplica a você",
        "undetermined": "Precisamos de mais informações",
    },
    "fr": {
        "eligible": "Vous pouvez postuler",
        "not_eligible": "Pas pour vous",
        "undetermined": "Il nous faut plus d'informations",
    },
    "ht": {
        "eligible": "Ou ka aplike",
        "not_eligible": "Sa a pa pou ou",
        "undetermined": "Nou bezwen plis enfòmasyon",
    },
}


def outcome_label(outcome: Outcome | str, language: str) -> str:
    labels = OUTCOME_LABELS.get(language, OUTCOME_LABELS["en"])
    return labels[str(outcome)]


_T: Final[Mapping[str, Mapping[str, str]]] = {
    "title": {
        "en": "Your rights in this job",
        "es": "Sus derechos en este trabajo",
        "pt": "Seus direitos neste trabalho",
        "fr": "Vos droits dans cet emploi",
        "ht": "Dwa ou nan travay sa a",
    },
    "fees": {
        "en": "You pay nothing to get this job. No recruitment fee, no deposit, no "
        "travel or visa cost. If anyone asks you for money, say no and report it.",
        "es": "Usted no paga nada por este trabajo. Ni comisión de reclutamiento, ni "
        "depósito, ni viaje ni visa. Si alguien le pide dinero, dígale que no y "
        "denúncielo.",
        "pt": "Você não paga nada por este emprego. Nenhuma taxa de recrutamento, "
        "depósito, viagem ou visto. Se alguém pedir dinheiro, diga não e denuncie.",
        "fr": "Vous ne payez rien pour obtenir cet emploi. Aucun frais de "
        "recrutement, aucun dépôt, ni voyage ni visa. Si quelqu'un vous demande de "
        "l'argent, refusez et signalez-le.",
        "ht": "Ou pa peye anyen pou jwenn travay sa a. Pa gen frè rekritman, pa gen "
        "depo, ni vwayaj ni viza. Si yon moun mande w lajan, di non epi denonse l.",
    },
    "wage": {
        "en": "Pay: {wage} {currency} per hour, {hours} hours a week, paid "
        "{frequency} directly to you.",
        "es": "Salario: {wage} {currency} por hora, {hours} horas por semana, "
        "pagado {frequency} directamente a usted.",
        "pt": "Salário: {wage} {currency} por hora, {hours} horas por semana, pago "
        "{frequency} diretamente a você.",
        "fr": "Salaire : {wage} {currency} de l'heure, {hours} heures par semaine, "
        "payé {frequency} directement à vous.",
        "ht": "Salè: {wage} {currency} pa èdtan, {hours} èdtan pa semèn, yo peye "
        "ou {frequency} dirèkteman.",
    },
    "contract": {
        "en": "You receive the written contract in {languages} at least {days} days "
        "before you travel. It must say the same as this offer.",
        "es": "Recibe el contrato escrito en {languages} al menos {days} días antes "
        "de viajar. Debe decir lo mismo que esta oferta.",
        "pt": "Você recebe o contrato escrito em {languages} pelo menos {days} dias "
        "antes de viajar. Ele deve dizer o mesmo que esta oferta.",
        "fr": "Vous recevez le contrat écrit en {languages} au moins {days} jours "
        "avant le départ. Il doit dire la même chose que cette offre.",
        "ht": "Ou resevwa kontra ekri a nan {languages} omwen {days} jou anvan ou "
        "vwayaje. Li dwe di menm bagay ak òf sa a.",
    },
    "documents": {
        "en": "You keep your passport and identity papers. Nobody may hold them.",
        "es": "Usted conserva su pasaporte y sus documentos. Nadie puede quedárselos.",
        "pt": "Você fica com seu passaporte e documentos. Ninguém pode retê-los.",
        "fr": "Vous gardez votre passeport et vos papiers. Personne ne peut les "
        "retenir.",
        "ht": "Ou kenbe paspò ou ak papye ou. Pèsonn pa gen dwa kenbe yo.",
    },
    "freedom": {
        "en": "You may resign and go home without paying any penalty.",
        "es": "Puede renunciar y volver a casa sin pagar ninguna multa.",
        "pt": "Você pode pedir demissão e voltar para casa sem pagar multa.",
        "fr": "Vous pouvez démissionner et rentrer chez vous sans pénalité.",
        "ht": "Ou ka kite travay la epi retounen lakay ou san peye penalite.",
    },
    "housing_free": {
        "en": "Housing is provided free of charge.",
        "es": "La vivienda es gratuita.",
        "pt": "A moradia é gratuita.",
        "fr": "Le logement est fourni gratuitement.",
        "ht": "Lojman an gratis.",
    },
    "housing_cost": {
        "en": "Housing is provided; it costs you {cost} {currency} a week.",
        "es": "Hay vivienda; le cuesta {cost} {currency} por semana.",
        "pt": "Há moradia; custa {cost} {currency} por semana.",
        "fr": "Un logement est fourni ; il vous coûte {cost} {currency} par semaine.",
        "ht": "Gen lojman; li koute w {cost} {currency} pa semèn.",
    },
    "housing_none": {
        "en": "Housing is not provided.",
        "es": "No se ofrece vivienda.",
        "pt": "Não há moradia.",
        "fr": "Aucun logement n'est fourni.",
        "ht": "Pa gen lojman.",
    },
    "grievance": {
        "en": "If something is wrong, contact for free: {contact}.",
        "es": "Si algo anda mal, contacte gratis: {contact}.",
        "pt": "Se algo estiver errado, entre em contato de graça: {contact}.",
        "fr": "En cas de problème, contactez gratuitement : {contact}.",
        "ht": "Si gen yon pwoblèm, kontakte gratis: {contact}.",
    },
    "blocked": {
        "en": "Warning: this offer failed the fair-recruitment checks. Do not accept "
        "it.",
        "es": "Atención: esta oferta no pasó los controles de contratación justa. No "
        "la acepte.",
        "pt": "Atenção: esta oferta não passou nas verificações de recrutamento "
        "justo. Não aceite.",
        "fr": "Attention : cette offre n'a pas passé les contrôles de recrutement "
        "équitable. Ne l'acceptez pas.",
        "ht": "Atansyon: òf sa a pa pase kontwòl rekritman jis yo. Pa aksepte l.",
    },
}
_FREQUENCY: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {"weekly": "every week", "biweekly": "every two weeks"},
    "es": {"weekly": "cada semana", "biweekly": "cada dos semanas"},
    "pt": {"weekly": "toda semana", "biweekly": "a cada duas semanas"},
    "fr": {"weekly": "chaque semaine", "biweekly": "toutes les deux semaines"},
    "ht": {"weekly": "chak semèn", "biweekly": "chak de semèn"},
}
_MONTHLY: Final[Mapping[str, str]] = {
    "en": "every month",
    "es": "cada mes",
    "pt": "todo mês",
    "fr": "chaque mois",
    "ht": "chak mwa",
}
_LANGUAGE_NAMES: Final[Mapping[str, str]] = {
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "fr": "Français",
    "ht": "Kreyòl",
}


@dataclass(frozen=True, slots=True)
class RightsCard:
    language: str
    title: str
    lines: tuple[str, ...]
    warning: str = ""


def _t(key: str, language: str, **values: object) -> str:
    texts = _T[key]
    return texts.get(language, texts["en"]).format(**values)


def rights_card(offer: JobOffer, language: str, *, blocked: bool) -> RightsCard:
    """The card for `offer` in `language` (English when the language is unknown)."""
    lang = language if language in LANGUAGES else "en"
    frequency = _FREQUENCY[lang].get(offer.pay_frequency, _MONTHLY[lang])
    languages = ", ".join(
        _LANGUAGE_NAMES.get(code, code)
        for code in (offer.contract_language, *offer.contract_translations)
    )
    lines = [
        _t("fees", lang),
        _t(
            "wage",
            lang,
            wage=offer.wage_hourly,
            currency=offer.currency,
            hours=offer.hours_week,
            frequency=frequency,
        ),
        _t(
            "contract",
            lang,
            languages=languages,
            days=offer.contract_delivery_days_before_departure or 7,
        ),
        _t("documents", lang),
        _t("freedom", lang),
    ]
    if not offer.housing_provided:
        lines.append(_t("housing_none", lang))
    elif offer.housing_cost_weekly > 0:
        lines.append(
            _t(
                "housing_cost",
                lang,
                cost=offer.housing_cost_weekly,
                currency=offer.currency,
            )
        )
    else:
        lines.append(_t("housing_free", lang))
    if offer.grievance_contact:
        lines.append(_t("grievance", lang, contact=offer.grievance_contact))
    worker_paid = any(c.paid_by is Payer.WORKER and c.amount > 0 for c in offer.costs)
    return RightsCard(
        language=lang,
        title=_t("title", lang),
        lines=tuple(lines),
        warning=_t("blocked", lang) if blocked or worker_paid else "",
    )
