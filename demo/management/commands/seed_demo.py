"""Load the synthetic demo: two clinics, one user per role in each, a billing company (Keystone
Billing Partners) whose biller works both under a QSO agreement with each, payers, providers,
patients, episodes, sessions, authorizations, consents and claims in every state (built,
scrubbed, submitted to the sandbox clearinghouse and answered through the real services).

Idempotent and deterministic (for a given --today): running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.orgs import CLINICS, seed_billing_company, seed_orgs_and_users
from rcm.tenancy import org_context

FACILITIES = {
    "mh": [
        dict(
            name="Harbor Main Office",
            address_line1="200 Harbor Way",
            city="Portland",
            state="OR",
            postal_code="97201-2045",
            pos="11",
            taxonomy="261QM0801X",
            npi="1555000011",
            tin="931234567",
        )
    ],
    "sud": [
        dict(
            name="Summit Residential Campus",
            address_line1="12 Ridge Rd",
            city="Bend",
            state="OR",
            postal_code="97701-3310",
            pos="55",
            taxonomy="324500000X",
            npi="1555000029",
            tin="937654321",
        ),
        dict(
            name="Summit Day Programs",
            address_line1="40 Mill St",
            city="Bend",
            state="OR",
            postal_code="97702-1120",
            pos="57",
            taxonomy="261QR0405X",
            npi="1555000037",
            tin="937654321",
        ),
    ],
}


def _facilities(program: str) -> list[Any]:
    from facilities.models import Facility

    return [
        Facility.objects.get_or_create(name=spec["name"], defaults=spec)[0]
        for spec in FACILITIES[program]
    ]


def _link_clinician(org: Any, username: str, providers: list[Any]) -> None:
    """The demo clinician signs notes and plans as the clinic's first LCSW."""
    from django.contrib.auth import get_user_model

    from credentialing.services import provider_update

    user = get_user_model().objects.get(username=username)
    with org_context(org):
        lcsw = next((p for p in providers if p.license_type == "lcsw"), providers[0])
        if lcsw.user_id is None and not type(lcsw).objects.filter(user=user).exists():
            provider_update(provider=lcsw, user=user)


def seed_clinic(
    org: Any,
    program: str,
    today: dt.date,
    n_patients: int,
    company: Any,
    *,
    claims: bool = True,
) -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from authorizations import demo as auth_demo
    from claims import demo as claims_demo
    from claims.models import Claim
    from consent import demo as consent_demo
    from credentialing import demo as cred_demo
    from facilities import demo as facilities_demo
    from patients import demo as patient_demo
    from payers import demo as payers_demo
    from payers.catalog import catalog_install

    rng = random.Random(f"{org.slug}:2026")
    payers = [p for p, _ in catalog_install(org=org)]
    with org_context(org):
        payers_demo.seed(payers=payers)
        facilities = _facilities(program)
        facilities_demo.seed(org=org, facilities=facilities, payers=payers)
        claims_demo.seed(org=org, today=today)
    providers = cred_demo.seed(org=org, rng=rng, payers=payers, today=today)
    prefix = next(spec.user_prefix for spec in CLINICS if spec.slug == org.slug)
    _link_clinician(org, f"{prefix}.clinician", providers)
    result = patient_demo.seed(
        org=org,
        rng=rng,
        payers=payers,
        facilities=facilities,
        providers=providers,
        today=today,
        n_patients=n_patients,
        program=program,
    )
    auth_demo.seed(
        org=org, rng=rng, episodes_with_coverage=result.episodes_with_coverage, today=today
    )
    with org_context(org):
        consent_demo.seed(org=org, rng=rng, patients=result.patients, today=today)
        consent_demo.seed_agreement(org=org, company=company, today=today)
        biller = get_user_model().objects.get(username=f"{prefix}.biller")
        if claims:
            claims_demo.seed_claims(org=org, today=today, actor=biller)
        claims_demo.seed_eligibility(org=org, today=today)
        n_claims = Claim.objects.count()
    return {
        "payers": len(payers),
        "providers": len(providers),
        "patients": len(result.patients),
        "claims": n_claims,
    }


class Command(BaseCommand):
    help = "Load synthetic demo data (idempotent). Prints the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="Print logins as JSON.")
        parser.add_argument(
            "--patients", type=int, default=200, help="Patients per clinic (default 200)."
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Anchor date (YYYY-MM-DD) for six months of history.",
        )
        parser.add_argument(
            "--no-claims",
            action="store_true",
            help="Leave the completed sessions unbilled (no claims built; for benchmarks).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["patients"] < 1:
            raise CommandError("--patients must be at least 1")
        orgs, logins = seed_orgs_and_users()
        company = seed_billing_company()
        programs = {spec.slug: spec.program for spec in CLINICS}
        summaries = {
            # Each clinic's history ends on its own local today (its time zone).
            org.slug: seed_clinic(
                org,
                programs[org.slug],
                opts["today"] or timezone.localdate(timezone=org.zone),
                opts["patients"],
                company,
                claims=not opts["no_claims"],
            )
            for org in orgs
        }
        if opts["json"]:
            self.stdout.write(json.dumps(logins, indent=2))
            return
        for slug, counts in summaries.items():
            self.stdout.write(f"{slug}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login['username']:<28} {login['role']:<16} {login['org']}")
