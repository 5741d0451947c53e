from __future__ import annotations

from typing import Any

import pytest

from puente.protection.rules.screening import (
    LOCALES,
    InvalidScreeningAnswers,
    Priority,
    ScreeningFormNotFound,
    SensitiveAnswerWithoutConsent,
    Strength,
    TraffickingStatus,
    load_form,
    screen,
)
from puente.reference.specific_needs import is_known_code, sub_codes

FORM = load_form()


class TestForm:
    def test_every_question_action_and_flag_has_five_languages(self) -> None:
        labelled = [q.labels for q in FORM.questions]
        labelled += [a.labels for a in FORM.actions.values()]
        labelled += [f.reason for f in FORM.flags]
        for labels in labelled:
            assert all(labels[locale].strip() for locale in LOCALES)

    def test_indicators_cover_every_element_and_strength(self) -> None:
        indicators = [q for q in FORM.questions if q.element is not None]
        assert {q.element for q in indicators} == set(FORM.trafficking.elements)
        assert {q.strength for q in indicators} == set(Strength)
        assert all(q.is_sensitive for q in indicators)

    def test_consent_gated_attributes_are_sensitive(self) -> None:
        gated = {q.id for q in FORM.questions if q.needs_consent}
        assert gated == {"sa_lgbtqi", "sa_indigenous", "sa_afro_descendant"}
        assert all(FORM.question(q).is_sensitive for q in gated)

    def test_suggested_codes_exist_in_the_reference_list(self) -> None:
        for flag in FORM.flags:
            assert all(is_known_code(code) for code in flag.suggested_specific_needs)

    def test_unknown_version_is_not_found(self) -> None:
        with pytest.raises(ScreeningFormNotFound):
            load_form(99)


def yes(*questions: str) -> dict[str, Any]:
    return dict.fromkeys(questions, True)


class TestScreen:
    def test_nothing_found_recommends_completing_registration(self) -> None:
        outcome = screen({})
        assert outcome.flags == ()
        assert (outcome.recommended_action, outcome.priority) == (
            "register_only",
            Priority.NORMAL,
        )

    def test_unaccompanied_child_opens_a_child_protection_case(self) -> None:
        outcome = screen(yes("is_child", "is_unaccompanied"))
        flag = outcome.flag("unaccompanied_child")
        assert flag is not None
        assert flag.evidence == ("is_child", "is_unaccompanied")
        assert outcome.recommended_action == "open_child_protection_case"
        assert outcome.priority is Priority.EMERGENCY
        assert {"SC-UC", "FU-TR"} <= set(outcome.suggested_specific_needs)
        assert outcome.flag("separated_child") is None

    def test_separated_child_from_a_specific_needs_code(self) -> None:
        outcome = screen({"is_child": True, "specific_needs": ["sc-sc"]})
        assert outcome.flag("separated_child") is not None
        assert "SC-SC" in outcome.suggested_specific_needs

    def test_expressed_fear_refers_to_the_asylum_authority(self) -> None:
        outcome = screen(yes("expressed_fear"))
        assert outcome.recommended_action == "refer_asylum_authority"
        assert "LP-RR" in outcome.suggested_specific_needs

    def test_most_urgent_action_is_recommended_and_all_are_listed(self) -> None:
        outcome = screen(yes("expressed_fear", "hr_immediate_danger", "is_detained"))
        assert outcome.recommended_action == "immediate_protection"
        assert outcome.actions[0] == "immediate_protection"
        assert {"refer_asylum_authority", "inform_consular_rights"} <= set(
            outcome.actions
        )

    @pytest.mark.parametrize(
        "question",
        [
            "st_no_nationality_documents",
            "st_born_in_transit",
            "st_parents_nationality_unknown",
        ],
    )
    def test_statelessness_risk(self, question: str) -> None:
        outcome = screen(yes(question))
        flag = outcome.flag("statelessness_risk")
        assert flag is not None
        assert flag.evidence == (question,)
        assert outcome.recommended_action == "refer_statelessness_determination"


class TestTraffickingRule:
    ADULT_PRESUMED = (
        "ti_dr_deceived_nature_of_job",  # strong  } deceptive recruitment
        "ti_dr_deceived_wages",  # medium          }
        "ti_ex_excessive_hours",  # strong         } exploitation
        "ti_ex_low_or_no_pay",  # medium           }
        "ti_cd_documents_confiscated",  # strong   } coercion at destination
        "ti_cd_isolation",  # strong               }
    )

    def test_adult_with_all_three_groups_is_a_presumed_victim(self) -> None:
        outcome = screen(yes(*self.ADULT_PRESUMED))
        assert outcome.trafficking.status is TraffickingStatus.PRESUMED
        assert outcome.recommended_action == "refer_trafficking_identification"
        flag = outcome.flag("presumed_trafficking_victim")
        assert flag is not None
        assert flag.is_sensitive

    def test_adult_without_means_at_destination_is_only_possible(self) -> None:
        outcome = screen(yes(*self.ADULT_PRESUMED[:4]))
        assert outcome.trafficking.status is TraffickingStatus.POSSIBLE
        assert outcome.flag("trafficking_indicators") is not None

    def test_child_needs_no_means_element(self) -> None:
        outcome = screen(yes("is_child", *self.ADULT_PRESUMED[:4]))
        assert outcome.trafficking.status is TraffickingStatus.PRESUMED

    @pytest.mark.parametrize(
        ("indicators", "present"),
        [
            (("ti_cd_documents_confiscated", "ti_cd_debt_bondage"), True),  # 2 strong
            (("ti_cd_violence", "ti_cd_threat_family"), True),  # strong + weak
            (
                (
                    "ti_cd_threat_denunciation",
                    "ti_cd_forced_illicit",
                    "ti_cd_wages_withheld",
                ),
                True,
            ),  # 3 medium
            (
                (
                    "ti_cd_threat_denunciation",
                    "ti_cd_forced_illicit",
                    "ti_cd_threat_family",
                ),
                True,
            ),  # 2 medium + 1 weak
            (("ti_cd_threat_denunciation", "ti_cd_forced_illicit"), False),  # 2 medium
            (("ti_cd_threat_family",), False),  # 1 weak
        ],
    )
    def test_element_presence_follows_the_ilo_combination_rule(
        self, indicators: tuple[str, ...], present: bool
    ) -> None:
        outcome = screen(yes(*indicators))
        elements = outcome.trafficking.elements_present
        assert ("coercion_at_destination" in elements) is present


class TestConsentAndValidation:
    def test_sensitive_attribute_without_consent_is_refused(self) -> None:
        with pytest.raises(SensitiveAnswerWithoutConsent):
            screen(yes("sa_lgbtqi"))
        with pytest.raises(SensitiveAnswerWithoutConsent):
            screen({"consents_sensitive_questions": False, "sa_indigenous": False})

    def test_sensitive_attribute_with_consent_is_flagged_sensitive(self) -> None:
        outcome = screen(yes("consents_sensitive_questions", "sa_afro_descendant"))
        flag = outcome.flag("identity_based_risk")
        assert flag is not None
        assert flag.is_sensitive
        assert "sa_afro_descendant" in outcome.sensitive_answers

    @pytest.mark.parametrize(
        "answers",
        [
            {"no_such_question": True},
            {"is_child": "yes"},
            {"specific_needs": "SC-UC"},
            {"specific_needs": ["not a code"]},
        ],
    )
    def test_malformed_answers_are_refused(self, answers: dict[str, Any]) -> None:
        with pytest.raises(InvalidScreeningAnswers):
            screen(answers)

    def test_vulnerability_factors_keep_level_and_polarity(self) -> None:
        outcome = screen(
            yes("vf_irregular_status", "vf_household_debt", "vf_no_local_language")
        )
        assert {f.level for f in outcome.vulnerability_factors} == {
            "structural",
            "household",
            "individual",
        }
        assert outcome.flag("high_vulnerability") is not None
        protected = screen(
            yes(
                "vf_irregular_status",
                "vf_household_debt",
                "vf_no_local_language",
                "vf_family_support_nearby",
                "vf_access_to_services",
                "vf_has_income_or_savings",
            )
        )
        assert protected.flag("high_vulnerability") is None

    def test_every_current_specific_need_code_is_accepted(self) -> None:
        codes = [need.code for need in sub_codes(current_only=True)]
        outcome = screen({"specific_needs": codes})
        assert set(codes) <= set(outcome.suggested_specific_needs)
