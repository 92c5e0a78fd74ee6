"""Demo consents: deterministic, idempotent, covering every badge state."""

from __future__ import annotations

import random

from consent import demo
from consent.models import Part2Consent
from consent.selectors import consent_status_for_patient
from tests import factories
from tests.consent.elements import today


def _patients(n: int, program: str) -> list:
    patients = [factories.patient() for _ in range(n)]
    for p in patients:
        factories.episode(p, program=program, part2_applies=program == "sud")
    return patients


def _snapshot() -> list[tuple]:
    return sorted(
        (c.patient.mrn, c.kind, c.signed_on, c.revoked_on, c.expires_on)
        for c in Part2Consent.objects.select_related("patient")
    )


def test_demo_consents_are_deterministic_idempotent_and_cover_every_status(in_org_a):
    sud, mh = _patients(30, "sud"), _patients(3, "mh")
    created = demo.seed(org=in_org_a, rng=random.Random(7), patients=sud + mh, today=today())
    first = _snapshot()
    assert demo.seed(org=in_org_a, rng=random.Random(7), patients=sud + mh, today=today()) == []
    assert _snapshot() == first and len(created) == len(first)
    statuses = [consent_status_for_patient(patient=p, on_date=today()) for p in sud]
    assert {"valid", "missing", "revoked", "expired"} <= set(statuses)
    assert statuses.count("valid") > len(sud) / 2 and statuses.count("expired") == 1
    assert all(consent_status_for_patient(patient=p, on_date=today()) == "missing" for p in mh)


def test_demo_consents_repeat_exactly_from_the_same_seed(org_a, org_b):
    from rcm.tenancy import org_context

    shapes = []
    for org in (org_a, org_b):
        with org_context(org):
            patients = _patients(12, "sud")
            demo.seed(org=org, rng=random.Random(3), patients=patients, today=today())
            order = {p.pk: i for i, p in enumerate(sorted(patients, key=lambda p: p.mrn))}
            shapes.append(
                sorted(
                    (order[c.patient_id], c.kind, c.signed_on, c.revoked_on)
                    for c in Part2Consent.objects.all()
                )
            )
    assert shapes[0] == shapes[1]
