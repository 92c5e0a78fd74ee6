"""The demo gives the claim builder complete data: every line the demo sessions bill has a
charge, every demo facility a billing identity with NPI, TIN and ZIP+4, every episode its
admission facts and an attending clinician."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from claims.chargemaster import charge_lookup
from facilities.models import Facility
from facilities.selectors import billing_identities
from patients.coding_bridge import preview_for
from patients.models import Coverage, EpisodeOfCare, Patient, Session
from patients.selectors import coding_ready_sessions
from rcm.models import Organization
from rcm.tenancy import org_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(capsys):
    call_command("seed_demo", "--patients", "20", "--today", "2026-11-02")
    capsys.readouterr()
    return list(Organization.objects.filter(slug__in=["harbor-mh", "summit-sud"]))


def test_every_line_the_demo_bills_has_a_charge(demo):
    for org in demo:
        with org_context(org):
            lookup = charge_lookup(org=org)
            sessions = coding_ready_sessions(Session.objects.filter(status="completed"))
            missing, priced = set(), 0
            for session in sessions[:400]:
                result = preview_for(session_like=session, week_cache={})
                for line in result.lines if result.billable else ():
                    found = lookup.charge(
                        line.code, line.modifiers, line.revenue_code, session.service_date
                    )
                    if found is None:
                        missing.add((line.code, line.modifiers, line.revenue_code))
                    priced += 1
        assert priced > 0, org.slug
        assert missing == set(), (org.slug, missing)


def test_the_demo_gives_facilities_episodes_coverages_and_patients_their_claim_facts(demo):
    _facilities_have_billing_identities(demo)
    _summit_day_programs_bill_medicaid_sud_under_the_iop_sites_npi(demo)
    _episodes_coverages_and_patients_carry_their_claim_facts(demo)


def _facilities_have_billing_identities(demo):
    for org in demo:
        with org_context(org):
            resolver = billing_identities(org=org)
            for facility in Facility.objects.all():
                identity = resolver.identity(facility=facility, program=None, payer=None)
                assert identity.source != "facility", facility.name
                assert len(identity.npi) == 10 and len(identity.tin) == 9
                assert len(identity.postal_code) == 9 and identity.pay_to is not None


def _summit_day_programs_bill_medicaid_sud_under_the_iop_sites_npi(demo):
    org = next(o for o in demo if o.slug == "summit-sud")
    with org_context(org):
        site = Facility.objects.get(name="Summit Day Programs")
        medicaid = Coverage.objects.filter(payer__name="State Medicaid (example)").first().payer
        resolver = billing_identities(org=org)
        assert resolver.identity(facility=site, program="sud", payer=medicaid).npi == "1555000045"
        assert resolver.identity(facility=site, program="sud", payer=None).npi == site.npi


def _episodes_coverages_and_patients_carry_their_claim_facts(demo):
    for org in demo:
        with org_context(org):
            episodes = list(EpisodeOfCare.objects.all())
            assert all(e.admission_type and e.admission_source for e in episodes)
            assert all(e.admission_hour is not None for e in episodes)
            assert all(e.attending_provider_id for e in episodes)
            for e in episodes:
                assert e.patient_status == ("30" if e.discharge_date is None else e.patient_status)
                if e.discharge_date:
                    assert e.patient_status in {"01", "07"} and e.discharge_hour is not None
            dependents = Coverage.objects.exclude(relationship="18")
            assert all(c.subscriber_address_line1 and c.subscriber_sex for c in dependents)
            signed = Patient.objects.filter(signature_on_file_date__isnull=False).count()
            assert signed >= Patient.objects.count() * 0.8


def test_the_demo_has_a_few_eligibility_cards_and_leaves_coverages_due_for_checks(demo):
    import datetime as dt

    from claims.eligibility_jobs import coverages_due
    from claims.models import EligibilityCheck

    for org in demo:
        with org_context(org):
            checks = list(EligibilityCheck.objects.all())
            assert len(checks) == 4 and all(c.done and c.card for c in checks)
            due = coverages_due(dt.date(2026, 11, 2))
            assert due and not {c.pk for c, _ in due} & {c.coverage_id for c in checks}
