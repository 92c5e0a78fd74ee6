"""The §2.31 element checks and the gate's matching, as pure functions over plain values."""

from __future__ import annotations

import datetime

import pytest

from consent import rules
from consent.forms import TPO_RECIPIENTS
from tests.consent.elements import MISSING_ELEMENTS, MISSING_IDS, today, valid_elements, without

D = datetime.date


def _errors(data: dict) -> rules.Errors:
    return rules.element_errors(rules.normalized_elements(data), has_patient=True, today=today())


def test_a_complete_tpo_consent_has_no_element_errors():
    assert _errors(valid_elements()) == {}


@pytest.mark.parametrize(("keys", "field", "prefix"), MISSING_ELEMENTS, ids=MISSING_IDS)
def test_each_missing_element_is_reported_on_its_own_field(keys, field, prefix):
    errors = _errors(without(keys))
    assert list(errors) == [field]
    assert errors[field][0].startswith(prefix)


def test_a_consent_without_a_patient_is_reported_as_element_1():
    errors = rules.element_errors(
        rules.normalized_elements(valid_elements()), has_patient=False, today=today()
    )
    assert errors == {"patient": [rules.MSG["patient"]]}


@pytest.mark.parametrize(
    "scope",
    [
        "all records",
        "Everything",
        "ALL MY RECORDS.",
        "Any and all information",
        "entire medical record",
        "records",
        "Complete chart and all information",
    ],
)
def test_vague_scopes_are_not_specific(scope):
    assert rules.is_vague_scope(scope)


@pytest.mark.parametrize(
    "scope",
    [
        "Diagnoses, dates of service and claims data",
        "Dates of attendance and level of care",
        "All claims submitted for IOP services",
    ],
)
def test_specific_scopes_are_accepted(scope):
    assert not rules.is_vague_scope(scope)


@pytest.mark.parametrize(
    ("event", "open_ended"),
    [
        ("None", True),
        ("None (TPO consent)", True),
        ("End of treatment", True),
        ("until revoked", True),
        ("Completion of the drug court program", False),
        ("Discharge from the IOP", False),
    ],
)
def test_open_ended_expirations_are_recognised(event, open_ended):
    assert rules.is_open_ended_expiry(event) is open_ended


@pytest.mark.parametrize(
    ("purposes", "purpose", "covered"),
    [
        (["treatment", "payment", "operations"], "payment", True),
        (["treatment", "payment", "operations"], "operations", True),
        (["payment"], "payment", True),
        (["payment"], "treatment", False),
        (["patient_request"], "payment", False),
        (["patient_request"], "patient_request", True),
        ([], "payment", False),
        (["treatment", "payment", "operations"], "marketing", False),
    ],
)
def test_a_purpose_is_covered_only_when_ticked(purposes, purpose, covered):
    """42 CFR 2.31(a)(5): the purposes the patient named, as data."""
    assert rules.purpose_covered(purposes=purposes, purpose=purpose) is covered


TPO_KINDS = ["provider", "health_plan", "clearinghouse"]


@pytest.mark.parametrize(
    ("consent_kind", "recipients", "kinds", "kind", "name", "covered"),
    [
        ("class", TPO_RECIPIENTS, TPO_KINDS, "health_plan", "Acme Health Plan", True),
        ("class", TPO_RECIPIENTS, TPO_KINDS, "provider", "Dr. Lee", True),
        ("class", "Health plans and third-party payers", ["health_plan"], "health_plan", "", True),
        # the words name health plans, the ticks do not: the ticks decide
        ("class", TPO_RECIPIENTS, ["provider"], "health_plan", "Acme Health Plan", False),
        ("class", "Not to any health plan", ["provider"], "health_plan", "Acme", False),
        ("class", TPO_RECIPIENTS, TPO_KINDS, "employer", "Acme Corp", False),
        ("class", TPO_RECIPIENTS, [], "health_plan", "Acme Health Plan", False),
        (
            "named",
            "Acme Health Plan\nCounty Probation",
            ["health_plan"],
            "health_plan",
            "acme  HEALTH plan",
            True,
        ),
        (
            "named",
            "Acme Health Plan; County Probation",
            ["health_plan", "other"],
            "court",
            "County Probation",
            True,
        ),
        (
            "named",
            "Acme Health Plan; County Probation",
            ["health_plan"],
            "court",
            "County Probation",
            False,
        ),
        ("named", "Acme Health Plan", ["other"], "health_plan", "Acme Health Plan", False),
        ("named", "Acme Health Plan", ["health_plan"], "health_plan", "Beta Insurance", False),
        ("named", "Acme Health Plan", ["health_plan"], "health_plan", "", False),
    ],
)
def test_a_recipient_is_covered_only_when_its_kind_is_ticked(
    consent_kind, recipients, kinds, kind, name, covered
):
    """42 CFR 2.31(a)(4): the recipients the patient named, as data (and by name when named)."""
    assert (
        rules.recipient_covered(
            recipient_kind_of_consent=consent_kind,
            recipients=recipients,
            recipient_kinds=kinds,
            recipient_kind=kind,
            recipient_name=name,
        )
        is covered
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"purposes": [], "kind": "specific"}, "purposes", "purposes_blank"),
        ({"purposes": ["payment", "marketing"]}, "purposes", "purposes_unknown"),
        ({"purposes": ["payment"]}, "purposes", "purposes_tpo"),
        (
            {"purposes": ["treatment", "payment", "operations", "patient_request"]},
            "purposes",
            "purposes_tpo",
        ),
        ({"recipient_kinds": []}, "recipient_kinds", "recipient_kinds_blank"),
        ({"recipient_kinds": ["payer"]}, "recipient_kinds", "recipient_kinds_unknown"),
        ({"recipient_kinds": ["other"]}, "recipient_kinds", "recipient_kinds_other_class"),
    ],
)
def test_purposes_and_recipient_kinds_are_required_known_and_consistent_with_the_kind(
    overrides, field, message
):
    """42 CFR 2.31(a)(4)-(5) as data: a TPO consent is for treatment, payment and operations."""
    data = valid_elements(**overrides)
    if data["kind"] == "specific":
        data.update(expiration_event="", expires_on=today() + datetime.timedelta(days=9))
    codes = "marketing" if field == "purposes" else "payer"
    assert _errors(data) == {field: [rules.MSG[message].format(codes=codes)]}


def test_a_tpo_consent_without_ticked_purposes_is_for_treatment_payment_and_operations():
    """42 CFR 2.31(a)(5): what a TPO consent is for, by definition (filled in, not guessed)."""
    data = rules.normalized_elements(valid_elements(purposes=[]))
    assert data["purposes"] == ["treatment", "payment", "operations"]


def test_a_counseling_notes_consent_is_never_for_payment_nor_to_a_health_plan():
    """REFERENCE §8: SUD counseling notes are never sent to payers."""
    data = valid_elements(
        kind="counseling_notes",
        information_scope="SUD counseling notes",
        information_categories=["counseling_notes"],
        recipient_kind="named",
        recipients="Acme Health Plan",
        recipient_kinds=["health_plan"],
        purposes=["payment"],
        expiration_event="",
        expires_on=today() + datetime.timedelta(days=9),
    )
    assert _errors(data) == {
        "recipient_kinds": [rules.MSG["recipient_kinds_notes"]],
        "purposes": [rules.MSG["purposes_notes"]],
    }


@pytest.mark.parametrize(
    ("on_date", "state"),
    [
        (D(2026, 1, 31), "not_yet_signed"),
        (D(2026, 2, 1), "valid"),
        (D(2026, 5, 31), "valid"),
        (D(2026, 6, 1), "revoked"),
        (D(2026, 7, 1), "revoked"),
    ],
)
def test_revocation_is_prospective(on_date, state):
    assert (
        rules.consent_state(
            signed_on=D(2026, 2, 1), revoked_on=D(2026, 6, 1), expires_on=None, on_date=on_date
        )
        == state
    )


@pytest.mark.parametrize(
    ("on_date", "state"),
    [
        (D(2026, 2, 28), "valid"),
        (D(2026, 3, 1), "expired"),
    ],
)
def test_a_consent_stops_authorising_on_its_expiration_date(on_date, state):
    assert (
        rules.consent_state(
            signed_on=D(2026, 2, 1), revoked_on=None, expires_on=D(2026, 3, 1), on_date=on_date
        )
        == state
    )


@pytest.mark.parametrize(
    ("kind", "covered_entity", "stated", "error"),
    [
        ("tpo", False, False, True),
        ("tpo", True, True, False),
        ("specific", False, False, False),
        ("specific", True, False, True),
        ("specific", True, True, False),
        ("counseling_notes", True, False, True),
        ("counseling_notes", False, False, False),
    ],
)
def test_the_hipaa_redisclosure_statement_follows_the_recipient_not_the_kind(
    kind, covered_entity, stated, error
):
    """42 CFR 2.31(a)(4)(iii) (2024 rule): required whenever the recipient is a covered entity
    or business associate receiving for TPO, and always on a TPO consent."""
    data = valid_elements(
        kind=kind,
        information_scope="SUD counseling notes" if kind == "counseling_notes" else "Claims data",
        information_categories=[
            "counseling_notes" if kind == "counseling_notes" else "claims_payment"
        ],
        purpose="Treatment, payment, and health care operations",
        recipient_covered_entity=covered_entity,
        redisclosure_notice_stated=stated,
        expiration_event="" if kind != "tpo" else "None",
        expires_on=None if kind == "tpo" else today() + datetime.timedelta(days=9),
    )
    assert ("redisclosure_notice_stated" in _errors(data)) is error


@pytest.mark.parametrize(
    ("episodes", "ended"),
    [
        ([], None),
        ([(D(2026, 1, 2), None)], None),
        ([(D(2026, 1, 2), D(2026, 5, 1))], D(2026, 5, 1)),
        # signed after every discharge: the treatment had already ended (fails closed)
        ([(D(2025, 1, 2), D(2025, 3, 1))], D(2025, 3, 1)),
        ([(D(2025, 1, 2), D(2025, 3, 1)), (D(2025, 6, 1), D(2025, 8, 1))], D(2025, 8, 1)),
        # a transfer the same day continues the treatment
        ([(D(2026, 1, 2), D(2026, 3, 1)), (D(2026, 3, 1), D(2026, 6, 1))], D(2026, 6, 1)),
        # a readmission after a gap is a new treatment
        ([(D(2026, 1, 2), D(2026, 3, 1)), (D(2026, 4, 1), None)], D(2026, 3, 1)),
        # admitted after signing (intake first)
        ([(D(2026, 1, 20), D(2026, 2, 20))], D(2026, 2, 20)),
        ([(D(2026, 1, 2), D(2026, 3, 1)), (D(2026, 2, 1), None)], None),
    ],
)
def test_end_of_treatment_is_the_discharge_that_leaves_no_episode_in_care(episodes, ended):
    """42 CFR 2.31(a)(7): an 'end of treatment' expiry is the episodes' discharge date."""
    assert rules.end_of_treatment(signed_on=D(2026, 1, 5), episodes=episodes) == ended


@pytest.mark.parametrize(
    ("expires_on", "event", "expected"),
    [
        (D(2026, 9, 1), "", rules.Expiry(on=D(2026, 9, 1))),
        (None, "None: stays in effect until I revoke it", rules.Expiry(on=None)),
        (None, "until revoked", rules.Expiry(on=None)),
        (None, "End of treatment", rules.Expiry(on=D(2026, 5, 2), treatment_ended=D(2026, 5, 1))),
        (
            D(2026, 4, 1),
            "end of treatment",
            rules.Expiry(on=D(2026, 4, 1), treatment_ended=D(2026, 5, 1)),
        ),
        (
            None,
            "Completion of treatment",
            rules.Expiry(on=D(2026, 5, 2), treatment_ended=D(2026, 5, 1)),
        ),
        (
            None,
            "Discharge from the IOP",
            rules.Expiry(on=None, pending_event="Discharge from the IOP"),
        ),
        (
            D(2026, 9, 1),
            "Completion of the drug court program",
            rules.Expiry(on=D(2026, 9, 1), pending_event="Completion of the drug court program"),
        ),
    ],
)
def test_expirations_resolve_to_a_date_or_stay_pending(expires_on, event, expected):
    """42 CFR 2.31(a)(7): a date, 'none' (TPO), 'end of treatment' (the discharge date; the
    consent covers the discharge day) or an event the system cannot evaluate."""
    resolved = rules.resolve_expiry(
        expires_on=expires_on,
        expiration_event=event,
        signed_on=D(2026, 1, 5),
        episodes=[(D(2026, 1, 2), D(2026, 5, 1))],
    )
    assert resolved == expected


def test_end_of_treatment_without_a_part2_episode_stays_pending():
    """42 CFR 2.31(a)(7), failing closed: no Part 2 episode to tell when treatment ends."""
    resolved = rules.resolve_expiry(
        expires_on=None, expiration_event="End of treatment", signed_on=D(2026, 1, 5), episodes=[]
    )
    assert resolved == rules.Expiry(on=None, pending_event="End of treatment")


@pytest.mark.parametrize(
    ("released", "carries", "missing"),
    [
        (["attendance"], ["attendance"], []),
        (["attendance"], ["diagnoses", "attendance"], ["diagnoses"]),
        (list(rules.BILLING_CATEGORIES), ["treatment_records"], ["treatment_records"]),
        ([], ["demographics"], ["demographics"]),
    ],
)
def test_uncovered_categories_name_what_the_consent_does_not_release(released, carries, missing):
    """42 CFR 2.31(a)(3): the disclosure is compared with the consent's scope as data."""
    assert rules.uncovered_categories(released=released, carries=carries) == missing


def test_categories_are_deduplicated_in_a_fixed_order():
    assert rules.normalized_categories(["diagnoses", " attendance", "diagnoses", ""]) == [
        "attendance",
        "diagnoses",
    ]


@pytest.mark.parametrize(
    ("event", "state"),
    [
        ("end of treatment", "expired"),
        ("End of treatment or until revoked, whichever is earlier", "expired"),
        ("until the end of my treatment, never longer than one year", "pending"),
        ("None, but no longer than one year", "pending"),
        ("None (TPO consent)", "never"),
    ],
)
def test_an_expiration_adding_conditions_never_reads_as_no_expiry(event, state):
    """§2.31(a)(7): a consent with "end of treatment" ends at discharge even when the text also
    says "until revoked"; any other added condition cannot be evaluated and fails closed."""
    import datetime as _dt

    from consent.rules import Episode, resolve_expiry

    episodes: list[Episode] = [(_dt.date(2025, 1, 1), _dt.date(2025, 3, 1))]
    expiry = resolve_expiry(
        expires_on=None, expiration_event=event, signed_on=_dt.date(2025, 1, 5), episodes=episodes
    )
    if state == "expired":
        assert expiry.on == _dt.date(2025, 3, 2)
    elif state == "pending":
        assert expiry.pending_event
    else:
        assert expiry.on is None and not expiry.pending_event
