"""Place of service and telehealth modifiers from modality, patient location and payer profile."""

from __future__ import annotations

from dataclasses import dataclass

from .types import Modality, TelehealthProfile


@dataclass(frozen=True)
class PlaceDecision:
    pos: str | None
    modifiers: tuple[str, ...]
    reason: str
    error: str | None = None


def decide_place(
    modality: Modality,
    patient_at_home: bool,
    facility_pos: str | None,
    profile: TelehealthProfile,
) -> PlaceDecision:
    """POS and modifiers for one service; `error` is set when it cannot be billed."""
    modality = Modality(modality)
    if modality is Modality.IN_PERSON:
        return _in_person(facility_pos)
    where = "at home" if patient_at_home else "not at home"
    if modality is Modality.AUDIO_ONLY:
        refusal = _audio_only_refusal(patient_at_home, profile, where)
        if refusal:
            return PlaceDecision(None, (), refusal, error=refusal)
    return _telehealth(modality, patient_at_home, facility_pos, profile, where)


# Source: REFERENCE.md §2, place of service: the in-person POS is the facility's, passed in
def _in_person(facility_pos: str | None) -> PlaceDecision:
    if not facility_pos:
        error = "in-person service but no facility place of service was supplied"
        return PlaceDecision(None, (), error, error=error)
    return PlaceDecision(facility_pos, (), f"in person: facility POS {facility_pos}")


# Source: REFERENCE.md §3, audio-only allowed per payer profile (Medicare: patient at home)
def _audio_only_refusal(at_home: bool, profile: TelehealthProfile, where: str) -> str | None:
    if not profile.audio_only_allowed:
        return f"audio-only not allowed by payer profile {profile.label}: not billable"
    if profile.audio_only_requires_home and not at_home:
        return f"audio-only requires the patient at home ({profile.label}); patient {where}"
    return None


# Source: REFERENCE.md §3, POS 02/10 (or in-person POS) with 95/GT video, 93/FQ audio-only
def _telehealth(
    modality: Modality,
    at_home: bool,
    facility_pos: str | None,
    profile: TelehealthProfile,
    where: str,
) -> PlaceDecision:
    pos = _telehealth_pos(at_home, facility_pos, profile)
    modifier = profile.video_modifier if modality is Modality.VIDEO else profile.audio_only_modifier
    modifiers = (modifier,) if modifier else ()
    how = "by video" if modality is Modality.VIDEO else "audio-only"
    if pos is None:
        error = f"payer profile {profile.label} bills the in-person POS but none was supplied"
        return PlaceDecision(None, modifiers, error, error=error)
    shown = f"modifier {modifier}" if modifier else "no modifier"
    reason = f"patient {where} {how}, payer profile {profile.label}: POS {pos} + {shown}"
    return PlaceDecision(pos, modifiers, reason)


def _telehealth_pos(
    at_home: bool, facility_pos: str | None, profile: TelehealthProfile
) -> str | None:
    if profile.use_facility_pos:
        return facility_pos or None
    return profile.home_pos if at_home else profile.other_site_pos


# Example profiles (payer data; callers may build their own).
# Source: REFERENCE.md §3, CMS Transmittal 12671: POS 02/10 + 95 video / 93 audio-only
CMS_TELEHEALTH = TelehealthProfile()
# Source: REFERENCE.md §3, many commercial plans want 95 + the in-person POS
COMMERCIAL_95_FACILITY_POS = TelehealthProfile(
    use_facility_pos=True,
    audio_only_requires_home=False,
    label="commercial (in-person POS + 95)",
)
# Source: REFERENCE.md §3, legacy GT for audio-video at some Medicaid/commercial payers
LEGACY_GT_NO_AUDIO = TelehealthProfile(
    video_modifier="GT", audio_only_allowed=False, label="legacy GT, no audio-only"
)
# Source: REFERENCE.md §3, FQ audio-only modifier for RHC/FQHC
FQHC_AUDIO_FQ = TelehealthProfile(audio_only_modifier="FQ", label="RHC/FQHC (95 video, FQ audio)")
