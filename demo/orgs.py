"""The demo tenants and their users: synthetic, deterministic, idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from rcm.models import Membership, Organization
from rcm.permissions import Role
from rcm.tenancy import org_context


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    program: str  # "mh" or "sud"
    user_prefix: str
    time_zone: str


CLINICS = (
    DemoOrg(
        "harbor-mh",
        "Harbor Behavioral Health (outpatient MH group)",
        "mh",
        "harbor",
        "America/Los_Angeles",
    ),
    DemoOrg(
        "summit-sud",
        "Summit Recovery Center (residential, PHP, IOP)",
        "sud",
        "summit",
        "America/Los_Angeles",
    ),
)
BILLING_COMPANY_SLUG = "keystone-billing"
BILLING_COMPANY_NAME = "Keystone Billing Partners"
BILLING_COMPANY_USER = "keystone.biller"
# 42 CFR Part 2: nobody sees Part 2 records until an admin grants it. The demo grants the clinics'
# staff whose work needs them (leadership reads aggregate dashboards only), and keystone.biller,
# whose access also rests on each clinic's QSO agreement with Keystone (consent.demo).
PART2_ROLES = frozenset(
    {Role.ADMIN, Role.BILLING_MANAGER, Role.BILLER, Role.INTAKE, Role.CLINICIAN, Role.COMPLIANCE}
)


def _user(username: str, first: str, last: str) -> object:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last}
    )
    if created or not user.check_password(settings.DEMO_PASSWORD):
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _member(org: Organization, user: object, role: str, *, part2_access: bool) -> None:
    with org_context(org):
        Membership.objects.update_or_create(
            user=user, defaults={"role": role, "is_active": True, "part2_access": part2_access}
        )


def seed_billing_company() -> Organization:
    """Keystone Billing Partners, an outside billing company, with keystone.biller on staff."""
    company, _ = Organization.objects.update_or_create(
        slug=BILLING_COMPANY_SLUG,
        defaults={
            "name": BILLING_COMPANY_NAME,
            "kind": Organization.Kind.BILLING_COMPANY,
            "time_zone": "America/Los_Angeles",
        },
    )
    company_user = _user(BILLING_COMPANY_USER, "Keystone", "Billing Partners")
    # The company holds no Part 2 records of its own; it sees the clinics' under their QSOAs.
    _member(company, company_user, Role.BILLER.value, part2_access=False)
    return company


def seed_orgs_and_users() -> tuple[list[Organization], list[dict[str, str]]]:
    """The clinics with one user per role, and keystone.biller working in both. Logins are the
    clinics' (keystone.biller's own company has nothing to show)."""
    seed_billing_company()
    orgs, logins = [], []
    for spec in CLINICS:
        org, _ = Organization.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "kind": Organization.Kind.CLINIC,
                "time_zone": spec.time_zone,
            },
        )
        orgs.append(org)
        for role in Role:
            username = f"{spec.user_prefix}.{role.value}"
            user = _user(username, spec.user_prefix.title(), role.label)
            _member(org, user, role.value, part2_access=role in PART2_ROLES)
            logins.append({"org": org.slug, "role": role.value, "username": username})
    company_user = _user(BILLING_COMPANY_USER, "Keystone", "Billing Partners")
    for org in orgs:
        _member(org, company_user, Role.BILLER.value, part2_access=True)
        logins.append(
            {"org": org.slug, "role": Role.BILLER.value, "username": BILLING_COMPANY_USER}
        )
    return orgs, logins
