"""POS and telehealth modifiers per payer profile."""

import pytest

from coding import (
    CMS_TELEHEALTH,
    COMMERCIAL_95_FACILITY_POS,
    FQHC_AUDIO_FQ,
    LEGACY_GT_NO_AUDIO,
    PayerRules,
    ServiceFacts,
    TelehealthProfile,
    code_service,
    decide_place,
)

NO_MODIFIER = TelehealthProfile(video_modifier=None, label="POS only")


@pytest.mark.parametrize(
    ("modality", "home", "profile", "pos", "mods"),
    [
        ("in_person", False, CMS_TELEHEALTH, "11", ()),
        ("in_person", True, CMS_TELEHEALTH, "11", ()),
        ("video", True, CMS_TELEHEALTH, "10", ("95",)),
        ("video", False, CMS_TELEHEALTH, "02", ("95",)),
        ("audio_only", True, CMS_TELEHEALTH, "10", ("93",)),
        ("video", True, COMMERCIAL_95_FACILITY_POS, "11", ("95",)),
        ("audio_only", False, COMMERCIAL_95_FACILITY_POS, "11", ("93",)),
        ("video", False, LEGACY_GT_NO_AUDIO, "02", ("GT",)),
        ("audio_only", True, FQHC_AUDIO_FQ, "10", ("FQ",)),
        ("video", True, NO_MODIFIER, "10", ()),
    ],
)
def test_pos_and_modifiers(modality, home, profile, pos, mods):
    place = decide_place(modality, home, "11", profile)
    assert place.error is None
    assert (place.pos, place.modifiers) == (pos, mods)


def test_reason_names_location_modality_and_profile():
    place = decide_place("video", True, "11", CMS_TELEHEALTH)
    assert place.reason.startswith("patient at home by video, payer profile CMS")
    assert place.reason.endswith("POS 10 + modifier 95")


@pytest.mark.parametrize(
    ("profile", "home", "message"),
    [
        (LEGACY_GT_NO_AUDIO, True, "audio-only not allowed"),
        (CMS_TELEHEALTH, False, "audio-only requires the patient at home"),
    ],
)
def test_audio_only_refused(profile, home, message):
    facts = ServiceFacts(
        kind="individual",
        minutes=45,
        rendering_license="lcsw",
        modality="audio_only",
        patient_at_home=home,
        facility_pos="11",
    )
    result = code_service(facts, PayerRules(telehealth=profile))
    assert not result.billable
    assert result.lines == ()
    assert message in result.errors[0]


def test_in_person_without_facility_pos_is_an_error():
    place = decide_place("in_person", False, None, CMS_TELEHEALTH)
    assert place.pos is None and "no facility place of service" in (place.error or "")


def test_facility_pos_profile_needs_facility_pos():
    place = decide_place("video", True, None, COMMERCIAL_95_FACILITY_POS)
    assert place.error is not None


def test_telehealth_modifier_reaches_every_line():
    facts = ServiceFacts(
        kind="em_with_psychotherapy",
        em_code="99214",
        minutes=40,
        rendering_license="pmhnp",
        modality="video",
        patient_at_home=True,
    )
    result = code_service(facts)
    assert [(ln.code, ln.pos, ln.modifiers) for ln in result.lines] == [
        ("99214", "10", ("95",)),
        ("90836", "10", ("95",)),
    ]
