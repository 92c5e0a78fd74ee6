"""Factories that keep related rows in one org. Plain functions: explicit and fast."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

from rcm.models import Membership, Organization
from rcm.tenancy import org_context

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)


def organization(**fields: Any) -> Organization:
    n = next(_seq)
    fields.setdefault("slug", f"org-{n}")
    fields.setdefault("name", f"Org {n}")
    # Test orgs keep UTC clocks unless a test names a zone (tests/rcm/test_org_time_zone.py).
    fields.setdefault("time_zone", "UTC")
    return Organization.objects.create(**fields)


def user(username: str | None = None, **fields: Any) -> Any:
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def member(
    org: Organization,
    role: str = "admin",
    username: str | None = None,
    *,
    part2_access: bool | None = None,
) -> Any:
    """A user who is a member of `org`. `part2_access` is the admin's grant (None: the model's
    default, which is no Part 2 access)."""
    u = user(username)
    grant = {} if part2_access is None else {"part2_access": part2_access}
    with org_context(org):
        Membership.objects.create(user=u, role=role, **grant)
    return u


# --- Domain factories. Call them inside org_context(org); they keep related rows in one org. ---
import datetime as _dt  # noqa: E402
from decimal import Decimal  # noqa: E402

TODAY = _dt.date(2026, 11, 2)  # a fixed Monday keeps date arithmetic deterministic


def payer(**fields: Any) -> Any:
    from payers.models import Payer

    n = next(_seq)
    defaults = dict(
        name=f"Payer {n}",
        kind=Payer.Kind.COMMERCIAL,
        claim_filing_indicator="CI",
        edi_payer_id=f"P{n:04d}",
        accepted_license_types=["psychiatrist", "psychologist", "lcsw", "lpc", "lmft", "pmhnp"],
        level_of_care_codes={
            "iop": {"hcpcs": "H0015", "revenue_code": "0906", "type_of_bill": "13", "pos": "57"}
        },
        auth_required_levels=["iop", "php", "residential"],
    )
    defaults.update(fields)
    return Payer.objects.create(**defaults)


def facility(**fields: Any) -> Any:
    from facilities.models import Facility

    n = next(_seq)
    defaults = dict(
        name=f"Site {n}",
        address_line1="1 Main St",
        city="Springfield",
        state="IL",
        postal_code="62701",
        pos="11",
    )
    defaults.update(fields)
    return Facility.objects.create(**defaults)


def type2_npi(seed: int | None = None) -> str:
    """A valid (Luhn-checked) NPI starting with 2, distinct for each call."""
    from coding.codesets.npi import npi_check_digit

    first9 = f"2{(seed if seed is not None else next(_seq)):08d}"
    return f"{first9}{npi_check_digit(first9)}"


def billing_profile(facility_obj: Any = None, **fields: Any) -> Any:
    """An active billing profile (any program, any payer unless given) of `facility_obj`."""
    from facilities.models import BillingProfile

    n = next(_seq)
    defaults = dict(
        facility=facility_obj or facility(),
        billing_name=f"Billing Entity {n}",
        npi=type2_npi(n),
        tin=f"{n:09d}",
        taxonomy="261QM0801X",
        address_line1=f"{n} Commerce St",
        city="Springfield",
        state="IL",
        postal_code="627011234",
    )
    defaults.update(fields)
    return BillingProfile.objects.create(**defaults)


def charge(**fields: Any) -> Any:
    """A chargemaster entry: 90837 at $180 from 2026-01-01, open-ended, unless given."""
    from claims.models import ChargemasterEntry

    defaults = dict(code="90837", amount=Decimal("180.00"), effective_from=_dt.date(2026, 1, 1))
    defaults.update(fields)
    return ChargemasterEntry.objects.create(**defaults)


def patient(**fields: Any) -> Any:
    from patients.models import Patient

    n = next(_seq)
    defaults = dict(
        mrn=f"MRN{n:05d}",
        first_name="Alex",
        last_name=f"Rivera{n}",
        date_of_birth=_dt.date(1990, 1, 15),
        sex="U",
    )
    defaults.update(fields)
    return Patient.objects.create(**defaults)


def coverage(patient_obj: Any = None, payer_obj: Any = None, **fields: Any) -> Any:
    from patients.models import Coverage

    n = next(_seq)
    defaults = dict(
        patient=patient_obj or patient(),
        payer=payer_obj or payer(),
        member_id=f"MEM{n:06d}",
        effective_date=_dt.date(2026, 1, 1),
    )
    defaults.update(fields)
    return Coverage.objects.create(**defaults)


def provider(**fields: Any) -> Any:
    from coding.codesets.npi import npi_check_digit
    from credentialing.models import Provider

    n = next(_seq)
    first9 = f"1{n:08d}"
    defaults = dict(
        first_name="Sam",
        last_name=f"Lee{n}",
        credentials="LCSW",
        npi=f"{first9}{npi_check_digit(first9)}",
        taxonomy="1041C0700X",
        license_type="lcsw",
    )
    defaults.update(fields)
    return Provider.objects.create(**defaults)


def licensed(provider_obj: Any, state: str = "OR") -> Any:
    """Give a provider a license valid 2020-2030 in `state` (telehealth checks need one)."""
    from credentialing.services import license_add

    license_add(
        provider=provider_obj,
        state=state,
        number=f"T-{next(_seq)}",
        issued_on=_dt.date(2020, 1, 1),
        expires_on=_dt.date(2030, 1, 1),
    )
    return provider_obj


def episode(patient_obj: Any = None, **fields: Any) -> Any:
    from patients.models import EpisodeOfCare, LevelOfCareSegment

    level = fields.pop("level", "outpatient")
    defaults = dict(patient=patient_obj or patient(), program="mh", admit_date=TODAY)
    defaults.update(fields)
    ep = EpisodeOfCare.objects.create(**defaults)
    LevelOfCareSegment.objects.create(episode=ep, level=level, start_date=ep.admit_date)
    return ep


def session(patient_obj: Any = None, provider_obj: Any = None, **fields: Any) -> Any:
    from patients.models import Session

    start = _dt.datetime(2026, 11, 2, 15, 0, tzinfo=_dt.UTC)
    minutes = fields.pop("minutes", 53)
    defaults = dict(
        patient=patient_obj or patient(),
        kind="individual",
        service_date=TODAY,
        starts_at=start,
        ends_at=start + _dt.timedelta(minutes=minutes),
        rendering_provider=provider_obj or provider(),
    )
    defaults.update(fields)
    return Session.objects.create(**defaults)


def authorization(coverage_obj: Any = None, **fields: Any) -> Any:
    from authorizations.models import PriorAuthorization

    defaults = dict(
        coverage=coverage_obj or coverage(),
        level_of_care="outpatient",
        codes=["90837"],
        unit_type="visits",
        units_authorized=Decimal("12"),
        start_date=_dt.date(2026, 10, 1),
        end_date=_dt.date(2026, 12, 31),
        status="approved",
        auth_number=f"AUTH{next(_seq):05d}",
    )
    defaults.update(fields)
    return PriorAuthorization.objects.create(**defaults)


def part2_consent(patient_obj: Any = None, **fields: Any) -> Any:
    from consent.models import Part2Consent

    defaults = dict(
        patient=patient_obj or patient(),
        kind="tpo",
        disclosing_party="This program",
        information_scope="Demographics, diagnoses, dates and types of services, and claims "
        "information",
        information_categories=[
            "demographics",
            "attendance",
            "diagnoses",
            "services",
            "claims_payment",
        ],
        recipient_kind="class",
        recipients="My treating providers, health plans, third-party payers, and people "
        "helping to operate this program",
        recipient_kinds=["provider", "health_plan", "clearinghouse"],
        purpose="Treatment, payment, and health care operations",
        purposes=["treatment", "payment", "operations"],
        revocation_rights_stated=True,
        expiration_event="None (TPO consent)",
        signer_name="Alex Rivera",
        signature_method="electronic",
        signed_on=TODAY,
        recipient_covered_entity=True,
        redisclosure_notice_stated=True,
        refusal_consequences_stated=True,
    )
    if fields.get("kind") == "counseling_notes":  # never for payment, never to payers
        defaults.update(purposes=["treatment"], recipient_kinds=["provider"])
    defaults.update(fields)
    return Part2Consent.objects.create(**defaults)


def disclosure(consent_obj: Any = None, **fields: Any) -> Any:
    """A row of the accounting as the gate writes it (statement 1 and the scope explanation)."""
    from consent.gate import consent_scope_summary
    from consent.models import Disclosure

    consent_obj = consent_obj or part2_consent()
    defaults = dict(
        patient=consent_obj.patient,
        consent=consent_obj,
        recipient="Acme Health Plan",
        purpose="payment",
        description="837P claim",
        channel="837P",
        information_categories=["demographics", "diagnoses", "claims_payment"],
        notice_statement=1,
        scope_explanation=consent_scope_summary(consent_obj),
    )
    defaults.update(fields)
    return Disclosure.objects.create(**defaults)


def clearinghouse_account(**fields: Any) -> Any:
    """The org's clearinghouse account (sandbox unless `adapter` says otherwise)."""
    from claims.models import ClearinghouseAccount

    defaults = dict(
        adapter="sandbox",
        submitter_name="Test Clinic",
        submitter_id="SUBMIT01",
        contact_name="Billing Office",
        contact_phone="5035550100",
        receiver_name="Sandbox Clearinghouse",
        receiver_id="SANDBOXCH",
        isa_sender_id="SUBMIT01",
        isa_receiver_id="SANDBOXCH",
        usage_indicator="T",
    )
    defaults.update(fields)
    return ClearinghouseAccount.objects.create(**defaults)


def submission_batch(**fields: Any) -> Any:
    """A built (unsent) batch whose content is a stand-in, for adapter and sending tests."""
    import hashlib

    from claims.models import SubmissionBatch

    n = next(_seq)
    content = fields.pop("content", f"ISA*00*TEST BATCH {n}~")
    defaults = dict(
        kind="837p",
        adapter="sandbox",
        interchange_control_number=900_000 + n,
        group_control_number=900_000 + n,
        file_name=f"837P_{900_000 + n:09d}.x12",
        content=content,
        content_sha256=hashlib.sha256(content.encode()).hexdigest(),
    )
    defaults.update(fields)
    return SubmissionBatch.objects.create(**defaults)


def billing_company(**fields: Any) -> Organization:
    fields.setdefault("kind", Organization.Kind.BILLING_COMPANY)
    return organization(**fields)


def qso_agreement(counterparty: Organization | None = None, **fields: Any) -> Any:
    """An agreement in force from 2026-01-01 with no end (call inside org_context)."""
    from consent.models import QualifiedServiceAgreement

    defaults = dict(
        counterparty=counterparty or billing_company(),
        services=["billing", "collections"],
        effective_on=_dt.date(2026, 1, 1),
        qso_bound_by_part2=True,
        qso_resists_judicial_efforts=True,
        document_reference="contracts/qsoa-2026.pdf",
    )
    defaults.update(fields)
    return QualifiedServiceAgreement.objects.create(**defaults)


def org_graph(org: Organization) -> dict[str, Any]:
    """One row of (nearly) every tenant model in `org`, linked as in real use."""
    import datetime as dt

    from authorizations.models import ConcurrentReview, UnitLedgerEntry, UrAlert, UrAlertEvent
    from claims.models import AcknowledgmentFile, SandboxMessage
    from consent.models import RecipientRevocation
    from credentialing.models import (
        CompactPrivilege,
        CredentialingAlert,
        EnrollmentPeriod,
        License,
        LicensePeriod,
        LicenseStatusChange,
        PayerEnrollment,
    )
    from patients.models import (
        EpisodeDiagnosis,
        GroupSession,
        LeaveOfAbsence,
        ProgramDayService,
        SessionCorrection,
        TreatmentGoal,
        TreatmentPlan,
    )
    from payers.models import FeeScheduleRate
    from rcm.models import PhiAccess, TaskRun

    with org_context(org):
        pay = payer()
        fac = facility()
        prov = provider()
        pat = patient()
        cov = coverage(patient_obj=pat, payer_obj=pay)
        ep = episode(patient_obj=pat, facility=fac)
        start = dt.datetime(2026, 11, 2, 17, 0, tzinfo=dt.UTC)
        grp = GroupSession.objects.create(
            facilitator=prov, starts_at=start, ends_at=start + dt.timedelta(minutes=60)
        )
        sess = session(patient_obj=pat, provider_obj=prov, episode=ep)
        auth = authorization(coverage_obj=cov, episode=ep)
        plan = TreatmentPlan.objects.create(
            episode=ep, effective_date=TODAY, review_due_date=TODAY + dt.timedelta(days=90)
        )
        consent = part2_consent(patient_obj=pat)
        u = user()
        objs = {
            "payer": pay,
            "facility": fac,
            "provider": prov,
            "patient": pat,
            "coverage": cov,
            "episode": ep,
            "group": grp,
            "session": sess,
            "authorization": auth,
            "plan": plan,
            "consent": consent,
            "recipient_revocation": RecipientRevocation.objects.create(
                consent=consent, recipient="Acme Health Plan", revoked_on=TODAY, method="written"
            ),
            "segment": ep.segments.first(),
            "diagnosis": EpisodeDiagnosis.objects.create(episode=ep, rank=1, code="F32.9"),
            "goal": TreatmentGoal.objects.create(
                plan=plan, description="Reduce PHQ-9", diagnosis_codes=["F32.9"]
            ),
            "rate": FeeScheduleRate.objects.create(
                payer=pay, code="90837", rate=Decimal("120"), effective_from=dt.date(2026, 1, 1)
            ),
            "license": (
                lic := License.objects.create(
                    provider=prov, state="IL", number=f"L{pat.pk}", license_type="lcsw"
                )
            ),
            "license_period": LicensePeriod.objects.create(
                license=lic, starts_on=dt.date(2025, 7, 1), expires_on=dt.date(2027, 6, 30)
            ),
            "license_status": LicenseStatusChange.objects.create(
                license=lic, status="active", effective_on=dt.date(2025, 7, 1)
            ),
            "compact_privilege": CompactPrivilege.objects.create(
                provider=prov,
                home_license=lic,
                compact="social_work",
                state="WI",
                number=f"SW{pat.pk}",
                effective_on=dt.date(2026, 1, 1),
                expires_on=dt.date(2027, 12, 31),
            ),
            "enrollment": (
                enr := PayerEnrollment.objects.create(provider=prov, payer=pay, status="enrolled")
            ),
            "enrollment_period": EnrollmentPeriod.objects.create(
                enrollment=enr, effective_date=dt.date(2026, 1, 1)
            ),
            "credentialing_alert": CredentialingAlert.objects.create(
                kind="license_expiring",
                provider=prov,
                license=lic,
                due_on=dt.date(2027, 6, 30),
                created_on=TODAY,
                last_seen_on=TODAY,
            ),
            "leave": LeaveOfAbsence.objects.create(
                episode=ep, start_date=TODAY, end_date=TODAY + dt.timedelta(days=1)
            ),
            "session_correction": SessionCorrection.objects.create(
                session=sess,
                revision=1,
                actor=u,
                reason="Wrong end time",
                changes={"ends_at": {"from": None, "to": None}},
            ),
            "program_day_service": ProgramDayService.objects.create(
                session=sess, kind="group_psychotherapy", minutes=50, rendering_provider=prov
            ),
            "review": ConcurrentReview.objects.create(authorization=auth, review_date=TODAY),
            "ledger": UnitLedgerEntry.objects.create(
                authorization=auth,
                session=sess,
                kind="consume",
                units=Decimal("-1"),
                service_date=TODAY,
            ),
            "ur_alert": (
                alert := UrAlert.objects.create(
                    kind="expiring",
                    subject=f"auth:{auth.pk}",
                    authorization=auth,
                    patient=pat,
                    payer=pay,
                    due_date=TODAY,
                    created_on=TODAY,
                    last_seen_on=TODAY,
                )
            ),
            "ur_alert_event": UrAlertEvent.objects.create(alert=alert, action="raised"),
            "disclosure": disclosure(consent, recipient="Payer", description="837P"),
            "membership": Membership.objects.create(user=u, role="biller"),
            "phi_access": PhiAccess.objects.create(
                user=u, action="detail", object_type="x", path="/"
            ),
            "task_run": TaskRun.objects.create(task_name="t", key="k", status="done"),
            "qso_agreement": qso_agreement(),
            "clearinghouse_account": clearinghouse_account(),
            "acknowledgment_file": AcknowledgmentFile.objects.create(
                kind="999",
                file_name="ack.999",
                sha256="0" * 64,
                content="ISA*00~",
                status="imported",
            ),
            "sandbox_message": SandboxMessage.objects.create(name="ack.999", content="ISA*00~"),
            "billing_profile": billing_profile(fac, payer=pay, program="mh"),
            "charge": charge(),
        }
        objs.update(_claim_graph(objs, u))
        objs.update(_remittance_graph(objs, u))
        objs.update(_notification_graph(objs, u))
        objs["eligibility_check"] = eligibility_check(objs["coverage"], requested_by=u)
    return objs


def eligibility_check(coverage_obj: Any, **fields: Any) -> Any:
    """An answered eligibility check of `coverage_obj` (a minimal active card)."""
    from claims.models import EligibilityCheck

    defaults = dict(
        coverage=coverage_obj,
        patient_id=coverage_obj.patient_id,
        run_on=TODAY,
        source="manual",
        status="answered",
        service_date=TODAY,
        service_types=["30", "MH"],
        response_271="ISA*00~",
        card_json='{"status": "active", "services": [], "unknown_reasons": []}',
        active=True,
    )
    defaults.update(fields)
    return EligibilityCheck.objects.create(**defaults)


def _notification_graph(objs: dict[str, Any], u: Any) -> dict[str, Any]:
    """A notification (in a sent digest) and a preference of the graph's user."""
    from notifications.models import EmailDigest, Notification, NotificationPreference
    from rcm.tenancy import require_org

    digest = EmailDigest.objects.create(user=u, day=TODAY, count=1)
    return {
        "email_digest": digest,
        "notification": Notification.objects.create(
            user=u,
            kind="denial_deadline",
            title="Appeal deadline near",
            body="A patient's denial",
            url=f"/o/{require_org().slug}/denials/",
            email="daily_digest",
            digest=digest,
            dedupe_key=f"graph:{next(_seq)}",
        ),
        "notification_preference": NotificationPreference.objects.create(
            user=u, kind="denial_deadline", in_app=True, email="off"
        ),
    }


def _remittance_graph(objs: dict[str, Any], u: Any) -> dict[str, Any]:
    """A posted 835 with one claim payment, line, adjustment, PLB, exception, ledger entry and
    a denial with an event."""
    from denials.models import (
        Adjustment,
        Appeal,
        ClaimPayment,
        Denial,
        DenialEvent,
        DenialSettings,
        LinePayment,
        ParityEscalation,
        PatientLedgerEntry,
        PostingException,
        ProviderAdjustment,
        Remittance,
        RemittanceFile,
    )

    n = next(_seq)
    file = RemittanceFile.objects.create(
        file_name="era.835", sha256=f"{n:064d}", content="ISA*00~", status="posted"
    )
    rem = Remittance.objects.create(
        file=file, payer_key="P1", trace_number=f"TRN{n}", handling_code="I", total_paid=50
    )
    cp = ClaimPayment.objects.create(
        remittance=rem,
        claim=objs["claim"],
        patient_control_number=objs["claim"].control_number,
        status_code="1",
        charge=Decimal("120"),
        paid=Decimal("50"),
        position=1,
    )
    lp = LinePayment.objects.create(
        claim_payment=cp, procedure_code="90837", charge=Decimal("120"), paid=50, position=1
    )
    denial = Denial.objects.create(
        claim=objs["claim"],
        claim_payment=cp,
        payer=objs["payer"],
        group="CO",
        carc="197",
        amount=Decimal("70"),
        root_cause="authorization",
        action="appeal",
        recoverability=Decimal("0.8"),
        denied_on=TODAY,
    )
    return {
        "remittance_file": file,
        "remittance": rem,
        "claim_payment": cp,
        "line_payment": lp,
        "adjustment": Adjustment.objects.create(
            claim_payment=cp, line_payment=lp, group="CO", reason="197", amount=70, kind="denial"
        ),
        "provider_adjustment": ProviderAdjustment.objects.create(
            remittance=rem, provider_identifier="1", reason_code="WO", amount=Decimal("5")
        ),
        "posting_exception": PostingException.objects.create(
            remittance=rem, kind="takeback", message="m"
        ),
        "patient_ledger": PatientLedgerEntry.objects.create(
            patient=objs["patient"], kind="responsibility", amount=Decimal("10"), posted_on=TODAY
        ),
        "denial": denial,
        "denial_event": DenialEvent.objects.create(denial=denial, kind="created"),
        "appeal": Appeal.objects.create(denial=denial, level=1, level_name="Internal appeal"),
        "parity_escalation": ParityEscalation.objects.create(denial=denial, regulator="dol_ebsa"),
        "denial_settings": DenialSettings.objects.create(),
    }


def _claim_graph(objs: dict[str, Any], u: Any) -> dict[str, Any]:
    """A claim with a line, its session, a finding, an event, a batch and a saved filter."""
    from claims.models import (
        BatchClaim,
        Claim,
        ClaimEvent,
        ClaimFinding,
        ClaimLine,
        ClaimService,
        SavedQueueFilter,
        SubmissionBatch,
    )

    n = next(_seq)
    claim = Claim.objects.create(
        control_number=f"G{n:010d}",
        kind="837p",
        patient=objs["patient"],
        coverage=objs["coverage"],
        payer=objs["payer"],
        episode=objs["episode"],
        facility=objs["facility"],
        rendering_provider=objs["provider"],
        service_from=TODAY,
        service_to=TODAY,
        diagnoses=["F32.9"],
        total_charge=Decimal("120"),
    )
    batch = SubmissionBatch.objects.create(
        kind="837p",
        adapter="sandbox",
        interchange_control_number=n,
        group_control_number=n,
        file_name=f"batch-{n}.837",
        content="ISA*...",
        content_sha256="0" * 64,
    )
    return {
        "claim": claim,
        "claim_line": ClaimLine.objects.create(
            claim=claim,
            number=1,
            control_number=f"{claim.control_number}-1",
            service_date=TODAY,
            code="90837",
            units=Decimal("1"),
            charge=Decimal("120"),
            pointers=[1],
            session=objs["session"],
        ),
        "claim_service": ClaimService.objects.create(claim=claim, session=objs["session"]),
        "claim_finding": ClaimFinding.objects.create(
            claim=claim, code="NOTE-UNSIGNED", severity="error", message="m", fix="f"
        ),
        "claim_event": ClaimEvent.objects.create(claim=claim, kind="built"),
        "saved_filter": SavedQueueFilter.objects.create(user=u, name="Mine", queue="held"),
        "batch": batch,
        "batch_claim": BatchClaim.objects.create(
            batch=batch, claim=claim, transaction_control_number="0001"
        ),
    }
