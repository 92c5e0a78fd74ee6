import random
import time
from collections import Counter

import pytest

from patients import demo
from patients.coding_bridge import preview_for
from patients.models import (
    Coverage,
    EpisodeOfCare,
    GroupSession,
    LevelOfCareSegment,
    Patient,
    ProgramDayService,
    Session,
    TreatmentPlan,
)
from patients.selectors import coding_ready_sessions
from rcm.tenancy import org_context
from tests import factories


def _inputs(org):
    with org_context(org):
        payers = [
            factories.payer(name="Acme Commercial"),
            factories.payer(
                name="State Medicaid",
                kind="medicaid",
                program_minimums={"iop": {"plan_review_days": 21}},
            ),
        ]
        facilities = [
            factories.facility(name="Day programs", pos="57"),
            factories.facility(name="Residential campus", pos="55"),
        ]
        lead = factories.provider(license_type="lcsw")
        providers = [
            lead,
            factories.provider(license_type="psychiatrist", credentials="MD"),
            factories.provider(license_type="associate", supervisor=lead),
        ]
    return dict(payers=payers, facilities=facilities, providers=providers)


def _seed(org, inputs, program="sud", n=40):
    return demo.seed(
        org=org,
        rng=random.Random(11),
        today=factories.TODAY,
        n_patients=n,
        program=program,
        **inputs,
    )


@pytest.mark.parametrize("program", ["mh", "sud"])
def test_demo_covers_every_level_with_varied_sessions(org_a, program):
    inputs = _inputs(org_a)
    started = time.monotonic()
    result = _seed(org_a, inputs, program=program)
    assert time.monotonic() - started < 30
    with org_context(org_a):
        levels = set(LevelOfCareSegment.objects.values_list("level", flat=True))
        kinds = Counter(Session.objects.values_list("kind", flat=True))
        short = (
            Session.objects.filter(kind="individual", ends_at__isnull=False)
            .extra(where=["ends_at - starts_at < interval '16 minutes'"])
            .count()
        )
        assert Coverage.objects.filter(priority=2).exists()
        assert Session.objects.filter(modality="video").exists()
        assert GroupSession.objects.exists() and TreatmentPlan.objects.exists()
        assert EpisodeOfCare.objects.filter(status="discharged").exists()
        # PHP/IOP days carry their services (Medicare bills them line by line).
        assert ProgramDayService.objects.filter(session__episode__segments__level="php").exists()
    expected = {"outpatient", "iop", "php", "residential"} | (
        {"withdrawal_management"} if program == "sud" else set()
    )
    assert expected <= levels
    assert {"program_day", "group", "individual", "evaluation"} <= set(kinds)
    assert short > 0 and len(result.patients) == 40 and result.episodes_with_coverage


def test_demo_is_deterministic_and_idempotent(org_a, org_b):
    inputs = _inputs(org_a)
    first = _seed(org_a, inputs)
    other = _seed(org_b, _inputs(org_b))
    assert [p.last_name for p in first.patients] == [p.last_name for p in other.patients]
    again = _seed(org_a, inputs)
    assert again.created == {} and len(again.patients) == 40
    with org_context(org_a):
        assert Patient.objects.count() == 40
    assert first.created["sessions"] == other.created["sessions"] > 0


def test_demo_sessions_go_through_the_coding_bridge(org_a):
    _seed(org_a, _inputs(org_a), n=15)
    with org_context(org_a):
        rows = list(coding_ready_sessions(Session.objects.filter(status="completed"))[:200])
        results = [preview_for(session_like=s, week_cache={}) for s in rows]
    assert any(r.billable for r in results)
