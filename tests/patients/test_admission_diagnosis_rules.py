"""Admission applies the primary payer's diagnosis rules on the admission date (a Z code as
primary only where the payer allows it) and ICD-10-CM sequencing (REFERENCE.md §5, §14)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.services.clinical import episode_admit
from tests import factories

DAY = datetime.date(2026, 11, 2)


def _admit(patient, diagnoses, program="mh"):
    return episode_admit(
        patient=patient, program=program, level="outpatient", admit_date=DAY, diagnoses=diagnoses
    )


@pytest.mark.parametrize(("allowed", "admitted"), [(True, True), (False, False)])
def test_a_z_code_primary_follows_the_primary_payers_rule(in_org_a, allowed, admitted):
    patient = factories.patient()
    payer = factories.payer(name=f"Z plan {allowed}", z_code_primary_allowed=allowed)
    factories.coverage(patient_obj=patient, payer_obj=payer)
    if admitted:
        assert _admit(patient, ["Z63.0", "F43.23"]).diagnoses.first().code == "Z63.0"
    else:
        with pytest.raises(ValidationError) as refused:
            _admit(patient, ["Z63.0", "F43.23"])
        assert f"Z plan {allowed} does not accept" in refused.value.message_dict["diagnoses"][0]


def test_a_pregnant_patients_alcohol_use_is_admitted_with_o99_first(in_org_a):
    patient = factories.patient()
    episode = _admit(patient, ["O99.312", "F10.20"], program="sud")
    assert [d.code for d in episode.diagnoses.order_by("rank")] == ["O99.312", "F10.20"]
    with pytest.raises(ValidationError) as refused:
        _admit(factories.patient(), ["F10.20", "O99.312"], program="sud")
    assert "chapter 15 codes come first" in refused.value.message_dict["diagnoses"][0]
