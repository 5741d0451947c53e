from __future__ import annotations

import pytest

from puente.reference.specific_needs import (
    LOCALES,
    CodeLevel,
    Sensitivity,
    SpecificNeedNotFound,
    categories,
    load_specific_needs,
    specific_need,
    sub_codes,
)

# research/01 §2.3: 11 categories and their sub-codes.
EXPECTED_SUB_CODES = {
    "CR": 10,
    "SC": 5,
    "WR": 3,
    "ER": 3,
    "SP": 3,
    "DS": 15,  # 7 from 2009 (superseded) + 8 Washington-Group codes
    "SM": 7,
    "FU": 2,
    "LP": 20,
    "TR": 3,
    "SV": 8,
}


class TestSpecificNeedsCodes:
    def test_has_every_category_and_sub_code(self) -> None:
        assert {need.code for need in categories()} == set(EXPECTED_SUB_CODES)
        for category, count in EXPECTED_SUB_CODES.items():
            assert len(sub_codes(category)) == count, category

    def test_codes_are_unique_and_belong_to_their_category(self) -> None:
        codes = [need.code for need in load_specific_needs()]
        assert len(codes) == len(set(codes))
        for need in load_specific_needs():
            assert need.code.split("-")[0] == need.category
            assert (need.level is CodeLevel.CATEGORY) == ("-" not in need.code)

    def test_every_code_is_labelled_in_five_languages(self) -> None:
        for need in load_specific_needs():
            assert all(need.labels[locale].strip() for locale in LOCALES), need.code

    def test_label_falls_back_to_english(self) -> None:
        need = specific_need("lp-rr")
        assert need.label("es-CO") == need.labels["es"]
        assert need.label("de") == "At risk of refoulement"

    def test_old_disability_codes_are_superseded(self) -> None:
        current = {need.code for need in sub_codes("DS", current_only=True)}
        assert current == {
            "DS-V",
            "DS-H",
            "DS-LBM",
            "DS-UBM",
            "DS-C",
            "DS-EB",
            "DS-RC",
            "DS-SC",
        }

    def test_sgbv_and_torture_are_strictly_confidential(self) -> None:
        assert specific_need("SV-VA").sensitivity is Sensitivity.STRICTLY_CONFIDENTIAL
        assert specific_need("TR-PI").sensitivity is Sensitivity.STRICTLY_CONFIDENTIAL
        assert specific_need("FU-TR").sensitivity is Sensitivity.CONFIDENTIAL

    def test_unknown_code_is_not_found(self) -> None:
        with pytest.raises(SpecificNeedNotFound):
            specific_need("UM")
