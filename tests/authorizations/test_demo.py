"""Demo authorizations: deterministic, idempotent, and covering the states the pages show."""

from __future__ import annotations

import random
from typing import Any

from authorizations import demo
from authorizations.models import PriorAuthorization
from authorizations.selectors import authorizations_with_usage
from rcm.tenancy import org_context
from tests import factories
from tests.authorizations.util import TODAY

LEVELS = ["iop", "php", "residential", "outpatient", "iop", "php", "residential"] * 3


def _pairs(org: Any) -> list[tuple[Any, Any]]:
    with org_context(org):
        pay = factories.payer()
        pairs = []
        for index, level in enumerate(LEVELS):
            pat = factories.patient()
            pairs.append(
                (
                    factories.episode(
                        patient_obj=pat,
                        level=level,
                        program="sud" if index % 2 else "mh",
                        admit_date=TODAY.replace(day=1),
                    ),
                    factories.coverage(patient_obj=pat, payer_obj=pay),
                )
            )
        return pairs


def _summary(org: Any) -> list[tuple[Any, ...]]:
    with org_context(org):
        rows = authorizations_with_usage(org=org, today=TODAY).order_by("auth_number")
        return [
            (
                r.auth_number,
                r.level_of_care,
                r.status,
                r.units_authorized,
                r.units_used,
                r.start_date,
                r.end_date,
                r.next_review_date,
                r.reviews.count(),
            )
            for r in rows
        ]


def test_seeding_is_deterministic_and_idempotent(org_a, org_b):
    pairs_a, pairs_b = _pairs(org_a), _pairs(org_b)
    created = demo.seed(
        org=org_a, rng=random.Random(3), episodes_with_coverage=pairs_a, today=TODAY
    )
    demo.seed(org=org_b, rng=random.Random(3), episodes_with_coverage=pairs_b, today=TODAY)
    again = demo.seed(org=org_a, rng=random.Random(3), episodes_with_coverage=pairs_a, today=TODAY)
    assert created and again == []
    assert _summary(org_a) == _summary(org_b)
    with org_context(org_a):
        assert PriorAuthorization.objects.count() == len(created)


def test_only_levels_the_payer_authorizes_get_an_authorization(org_a):
    demo.seed(org=org_a, rng=random.Random(3), episodes_with_coverage=_pairs(org_a), today=TODAY)
    with org_context(org_a):
        levels = set(PriorAuthorization.objects.values_list("level_of_care", flat=True))
    assert levels and "outpatient" not in levels


def test_the_demo_shows_expiring_exhausted_and_reviewed_authorizations(org_a):
    demo.seed(org=org_a, rng=random.Random(3), episodes_with_coverage=_pairs(org_a), today=TODAY)
    with org_context(org_a):
        rows = list(authorizations_with_usage(org=org_a, today=TODAY))
        reviewed = [r for r in rows if r.reviews.exists()]
    assert any(r.expiring for r in rows)
    assert any(r.exhausted for r in rows)
    assert reviewed and all(r.next_review_date for r in reviewed)


def test_demo_residential_days_are_authorized_by_revenue_code_and_debited_once_a_day(org_a):
    """REFERENCE.md §14: residential by revenue code 1002, consumed once per day. The demo's
    recorded program days go through the real ledger."""
    import datetime as dt

    with org_context(org_a):
        pay = factories.payer(
            level_of_care_codes={
                "residential": {"hcpcs": "H0018", "revenue_code": "1002", "unit": "per_diem"}
            }
        )
        pairs = []
        for _ in range(8):
            pat = factories.patient()
            ep = factories.episode(
                patient_obj=pat, level="residential", program="sud", admit_date=dt.date(2026, 10, 1)
            )
            for back in (1, 1, 2):  # two program days on TODAY - 1, one on TODAY - 2
                factories.session(
                    patient_obj=pat,
                    episode=ep,
                    kind="program_day",
                    service_date=TODAY - dt.timedelta(days=back),
                    attended_minutes=360,
                    facility=factories.facility(pos="55"),
                )
            pairs.append((ep, factories.coverage(patient_obj=pat, payer_obj=pay)))
    created = demo.seed(org=org_a, rng=random.Random(5), episodes_with_coverage=pairs, today=TODAY)
    with org_context(org_a):
        approved = [a for a in created if a.status == "approved"]
        assert approved and all(a.codes == ["1002"] and a.unit_type == "days" for a in created)
        # The stay's days are debited once a day, by whichever of the episode's authorizations
        # (the past spans the demo records, or the current one) covers the date.
        by_episode: dict[int, list[Any]] = {}
        for auth in created:
            by_episode.setdefault(auth.episode_id, []).extend(auth.ledger.filter(kind="consume"))
        debited = [debits for debits in by_episode.values() if debits]
        assert debited  # an episode left without authorization (the demo's gaps) has none
        for debits in debited:
            days = sorted(d.service_date for d in debits)
            assert days == [TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)]
            assert all("rev 1002" in d.memo for d in debits)


def test_the_demo_leaves_the_ur_job_expiring_running_out_and_a_level_change_to_find(org_a):
    from authorizations.alerts import authorization_alerts
    from authorizations.models import UrAlert

    pairs = _pairs(org_a)
    with org_context(org_a):
        extra = factories.patient()
        pairs.append(
            (
                factories.episode(
                    patient_obj=extra, level="outpatient", admit_date=TODAY.replace(month=10)
                ),
                factories.coverage(patient_obj=extra, payer_obj=pairs[0][1].payer),
            )
        )
    demo.seed(org=org_a, rng=random.Random(3), episodes_with_coverage=pairs, today=TODAY)
    demo.seed(org=org_a, rng=random.Random(3), episodes_with_coverage=pairs, today=TODAY)
    with org_context(org_a):
        counts = authorization_alerts(TODAY)
        kinds = set(UrAlert.objects.values_list("kind", flat=True))
    assert counts["created"] > 0
    assert {"expiring", "units", "level_change"} <= kinds
