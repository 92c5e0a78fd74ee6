"""The nightly credentialing_alerts job: each kind of alert is found once per condition (a
second run the same day, or the next day, creates nothing new and counts it as updated), alerts
resolve when their condition is gone, the signal announces each new alert once, and an
enrollment gap seen on Part 2 claims alone is withheld from members without Part 2 access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from credentialing import alerts, rules, services
from credentialing.models import CredentialingAlert
from rcm.jobs import job_named, run_job
from rcm.tasks import run_job as run_job_task
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders

TODAY = factories.TODAY
K = CredentialingAlert.Kind


def _world() -> dict[str, Any]:
    """Ana: a license expiring in 30 days, CAQH due in 10 days, recredentialing with Acme due
    in 61 days by the 36-month clock. Ben: all in order, but not enrolled with Acme, and a
    claim to Acme for a service 10 days ago."""
    acme = factories.payer(name="Acme Health")
    ana = factories.provider(first_name="Ana", caqh_attested_on=TODAY - dt.timedelta(days=110))
    lic = services.license_add(
        provider=ana,
        state="IL",
        number="LCSW-1",
        issued_on=TODAY - dt.timedelta(days=700),
        expires_on=TODAY + dt.timedelta(days=30),
    )
    enrolled_on = rules.add_months(TODAY, -36) + dt.timedelta(days=61)
    services.enrollment_upsert(
        provider=ana, payer=acme, status="enrolled", effective_date=enrolled_on
    )
    ben = factories.licensed(factories.provider(first_name="Ben", caqh_attested_on=TODAY), "IL")
    claim = builders.claim(
        payer=acme,
        rendering=ben,
        status="held",
        lines=[
            {
                "code": "90834",
                "charge": Decimal("150.00"),
                "service_date": TODAY - dt.timedelta(days=10),
            }
        ],
    )
    return {"acme": acme, "ana": ana, "ben": ben, "license": lic, "claim": claim}


def _open() -> dict[tuple[str, str], CredentialingAlert]:
    return {
        (a.kind, a.provider.first_name): a
        for a in CredentialingAlert.objects.filter(status="open").select_related("provider")
    }


def test_each_kind_of_alert_is_found_once_with_its_due_date(in_org_a):
    w = _world()
    counts = alerts.credentialing_alerts_run(TODAY)
    found = _open()
    assert counts["created"] == 4 and counts["updated"] == 0
    assert set(found) == {
        (K.LICENSE_EXPIRING, "Ana"),
        (K.CAQH_DUE, "Ana"),
        (K.RECREDENTIAL_DUE, "Ana"),
        (K.ENROLLMENT_GAP, "Ben"),
    }
    assert found[K.LICENSE_EXPIRING, "Ana"].license == w["license"]
    assert found[K.LICENSE_EXPIRING, "Ana"].due_on == TODAY + dt.timedelta(days=30)
    assert found[K.CAQH_DUE, "Ana"].due_on == TODAY + dt.timedelta(days=10)
    assert found[K.RECREDENTIAL_DUE, "Ana"].due_on == TODAY + dt.timedelta(days=61)
    assert found[K.RECREDENTIAL_DUE, "Ana"].payer == w["acme"]
    gap = found[K.ENROLLMENT_GAP, "Ben"]
    assert (gap.payer, gap.due_on, gap.part2) == (w["acme"], TODAY - dt.timedelta(days=10), False)


def test_running_twice_the_same_day_creates_nothing_new(in_org_a):
    _world()
    alerts.credentialing_alerts_run(TODAY)
    again = alerts.credentialing_alerts_run(TODAY)
    assert (again["created"], again["updated"], again["resolved"]) == (0, 4, 0)
    assert CredentialingAlert.objects.count() == 4


def test_an_open_alert_is_updated_the_next_day_not_opened_again(in_org_a):
    _world()
    alerts.credentialing_alerts_run(TODAY)
    tomorrow = TODAY + dt.timedelta(days=1)
    counts = alerts.credentialing_alerts_run(tomorrow)
    assert (counts["created"], counts["updated"]) == (0, 4)
    assert set(CredentialingAlert.objects.values_list("last_seen_on", flat=True)) == {tomorrow}
    assert set(CredentialingAlert.objects.values_list("created_on", flat=True)) == {TODAY}


def test_an_alert_resolves_when_its_condition_is_gone(in_org_a):
    w = _world()
    alerts.credentialing_alerts_run(TODAY)
    services.caqh_attest(provider=w["ana"], attested_on=TODAY)
    counts = alerts.credentialing_alerts_run(TODAY + dt.timedelta(days=1))
    assert counts["resolved"] == 1
    caqh = CredentialingAlert.objects.get(kind=K.CAQH_DUE)
    assert (caqh.status, caqh.resolved_on) == ("resolved", TODAY + dt.timedelta(days=1))


def test_the_database_refuses_a_second_open_alert_for_the_same_condition(in_org_a):
    w = _world()
    alerts.credentialing_alerts_run(TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        CredentialingAlert.objects.create(
            kind=K.CAQH_DUE,
            provider=w["ana"],
            due_on=TODAY,
            created_on=TODAY + dt.timedelta(days=3),
            last_seen_on=TODAY + dt.timedelta(days=3),
        )


def test_alert_raised_is_sent_once_for_each_new_alert(in_org_a):
    _world()
    heard: list[CredentialingAlert] = []

    def receiver(sender: Any, alert: CredentialingAlert, **kwargs: Any) -> None:
        heard.append(alert)

    alerts.alert_raised.connect(receiver)
    try:
        alerts.credentialing_alerts_run(TODAY)
        alerts.credentialing_alerts_run(TODAY)
    finally:
        alerts.alert_raised.disconnect(receiver)
    assert len(heard) == 4 and all(a.pk for a in heard)


def test_services_covered_by_an_enrollment_period_raise_no_gap(in_org_a):
    w = _world()
    services.enrollment_upsert(
        provider=w["ben"],
        payer=w["acme"],
        status="enrolled",
        effective_date=TODAY - dt.timedelta(days=30),
    )
    alerts.credentialing_alerts_run(TODAY)
    assert not CredentialingAlert.objects.filter(kind=K.ENROLLMENT_GAP).exists()


def test_a_gap_seen_only_on_part2_claims_is_withheld_from_members_without_part2_access(org_a):
    with org_context(org_a):
        acme = factories.payer(name="Acme Health")
        ben = factories.licensed(factories.provider(first_name="Ben", caqh_attested_on=TODAY), "IL")
        builders.claim(payer=acme, rendering=ben, status="held", part2=True)
        alerts.credentialing_alerts_run(TODAY)
        assert CredentialingAlert.objects.get(kind=K.ENROLLMENT_GAP).part2
    with org_context(org_a, part2_access=False):
        assert not CredentialingAlert.objects.filter(kind=K.ENROLLMENT_GAP).exists()


def test_the_job_is_registered_nightly_and_runs_once_per_day_through_run_job(org_a):
    assert job_named("credentialing_alerts").schedule == "nightly"
    with org_context(org_a):
        _world()
        first = run_job("credentialing_alerts", key=TODAY.isoformat())
        second = run_job("credentialing_alerts", key=TODAY.isoformat())
    assert (first["created"], first["skipped"]) == (4, 0)
    assert (second["skipped"], second["created"]) == (1, 4)  # the first run's counts


def test_the_worker_task_and_the_command_run_the_job(org_a):
    with org_context(org_a):
        _world()
    result = run_job_task.apply(args=(org_a.pk, "credentialing_alerts", TODAY.isoformat())).get()
    assert result["created"] == 4
    call_command("run_job", "credentialing_alerts", "--org", org_a.slug, "--key", "2026-11-03")
    with org_context(org_a):
        assert CredentialingAlert.objects.filter(status="open").count() >= 4


def test_the_demo_providers_give_the_job_licenses_caqh_and_recredentialing_to_alert(org_a):
    """credentialing/demo.py (what seed_demo seeds); the services outside enrollment come
    from the demo's claims (tests/demo cover those holds)."""
    import random

    from credentialing import demo

    with org_context(org_a):
        payers = [factories.payer(name="Acme Health"), factories.payer(name="Blue Plan")]
        demo.seed(org=org_a, rng=random.Random(7), payers=payers, today=TODAY)
        counts = alerts.credentialing_alerts_run(TODAY)
        kinds = set(CredentialingAlert.objects.values_list("kind", flat=True))
        caqh_ahead = CredentialingAlert.objects.filter(kind=K.CAQH_DUE, due_on__gte=TODAY)
        assert caqh_ahead.exists()  # one due within the 14 days, not only lapsed ones
    assert counts["created"] > 0
    assert {K.LICENSE_EXPIRING, K.CAQH_DUE, K.RECREDENTIAL_DUE} <= kinds


def test_the_api_lists_open_alerts_read_only(client, org_a):
    with org_context(org_a):
        w = _world()
        alerts.credentialing_alerts_run(TODAY)
    client.force_login(factories.member(org_a, role="biller"))
    url = f"/api/o/{org_a.slug}/credentialing-alerts/"
    found = client.get(url, {"kind": "enrollment_gap"}).json()
    rows = found["results"] if isinstance(found, dict) else found
    assert [(r["provider"], r["payer"]) for r in rows] == [
        (str(w["ben"].public_id), str(w["acme"].public_id))
    ]
    client.force_login(factories.member(org_a, role="billing_manager"))
    assert client.post(url, {}).status_code == 405  # even for those who edit providers


def test_the_provider_page_lists_the_providers_open_alerts(client, org_a):
    with org_context(org_a):
        w = _world()
        alerts.credentialing_alerts_run(TODAY)
    client.force_login(factories.member(org_a, role="clinician"))
    page = client.get(f"/o/{org_a.slug}/credentialing/{w['ana'].public_id}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="open-alerts"' in html
    assert "CAQH re-attestation is due on" in html


def test_each_new_alert_notifies_billing_managers_once_and_part2_gaps_only_with_access(org_a):
    from notifications.models import Notification

    manager = factories.member(org_a, role="billing_manager", part2_access=False)
    cleared = factories.member(org_a, role="billing_manager", part2_access=True)
    factories.member(org_a, role="biller")
    with org_context(org_a):
        w = _world()
        builders.claim(payer=factories.payer(name="Blue Plan"), rendering=w["ana"], part2=True)
        alerts.credentialing_alerts_run(TODAY)
        alerts.credentialing_alerts_run(TODAY + dt.timedelta(days=1))
        mine = list(Notification.objects.filter(user=manager).values_list("kind", flat=True))
        theirs = list(Notification.objects.filter(user=cleared).values_list("kind", flat=True))
        billers = Notification.objects.exclude(user__in=[manager, cleared]).count()
    assert sorted(mine) == ["caqh_due", "enrollment_gap", "license_expiring", "recredentialing_due"]
    assert sorted(theirs) == sorted([*mine, "enrollment_gap"])  # and the Part 2 gap
    assert billers == 0
