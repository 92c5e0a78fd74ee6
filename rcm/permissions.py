"""Roles and named capabilities: the one place that says who may do what."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    BILLING_MANAGER = "billing_manager", "Billing manager"
    BILLER = "biller", "Biller"
    INTAKE = "intake", "Intake"
    CLINICIAN = "clinician", "Clinician"
    LEADERSHIP = "leadership", "Leadership (read-only dashboards)"
    COMPLIANCE = "compliance", "Compliance officer"


class Cap(models.TextChoices):
    VIEW_PATIENTS = "view_patients", "View patients and their records"
    EDIT_PATIENTS = "edit_patients", "Register patients, coverage, episodes"
    RECORD_CONSENT = "record_consent", "Record and revoke Part 2 consents"
    LOG_DISCLOSURES = "log_disclosures", "Log Part 2 disclosures made without consent"
    MANAGE_AGREEMENTS = "manage_agreements", "Record and end QSO agreements (42 CFR 2.11)"
    RECORD_SESSIONS = "record_sessions", "Record sessions and program days"
    VIEW_AUTHORIZATIONS = "view_authorizations", "View prior authorizations"
    EDIT_AUTHORIZATIONS = "edit_authorizations", "Record authorizations and reviews"
    VIEW_PROVIDERS = "view_providers", "View providers and credentialing"
    EDIT_PROVIDERS = "edit_providers", "Edit providers, licenses, enrollments"
    EDIT_PAYER_RULES = "edit_payer_rules", "Edit payers and their rules"
    WORK_CLAIMS = "work_claims", "Work claim and denial queues"
    APPROVE_WRITE_OFFS = "approve_write_offs", "Approve write-offs above the org's threshold"
    BUILD_CLAIMS = "build_claims", "Build claims from completed sessions"
    MANAGE_CLEARINGHOUSE = "manage_clearinghouse", "Set up the clearinghouse account"
    VIEW_DASHBOARDS = "view_dashboards", "View AR and denial dashboards"
    VIEW_AUDIT = "view_audit", "Read audit and disclosure logs"
    MANAGE_MEMBERS = "manage_members", "Manage organization members"
    USE_API = "use_api", "Use the REST API"
    RUN_JOBS = "run_jobs", "See scheduled jobs and run one now"


_ALL = set(Role)
CAPABILITIES: dict[Cap, set[Role]] = {
    Cap.VIEW_PATIENTS: _ALL - {Role.LEADERSHIP},
    Cap.EDIT_PATIENTS: {Role.ADMIN, Role.BILLING_MANAGER, Role.INTAKE},
    Cap.RECORD_CONSENT: {Role.ADMIN, Role.INTAKE, Role.COMPLIANCE},
    # Emergencies are disclosed by clinicians (§2.51); audits and court orders by compliance.
    Cap.LOG_DISCLOSURES: {Role.ADMIN, Role.CLINICIAN, Role.COMPLIANCE},
    Cap.MANAGE_AGREEMENTS: {Role.ADMIN, Role.COMPLIANCE},
    Cap.RECORD_SESSIONS: {Role.ADMIN, Role.CLINICIAN, Role.INTAKE, Role.BILLING_MANAGER},
    Cap.VIEW_AUTHORIZATIONS: _ALL - {Role.LEADERSHIP},
    Cap.EDIT_AUTHORIZATIONS: {Role.ADMIN, Role.BILLING_MANAGER, Role.BILLER, Role.INTAKE},
    Cap.VIEW_PROVIDERS: _ALL,
    Cap.EDIT_PROVIDERS: {Role.ADMIN, Role.BILLING_MANAGER},
    Cap.EDIT_PAYER_RULES: {Role.ADMIN, Role.BILLING_MANAGER},
    Cap.WORK_CLAIMS: {Role.ADMIN, Role.BILLING_MANAGER, Role.BILLER},
    # A write-off over the org's threshold (DenialSettings) gives money up: a manager decides.
    Cap.APPROVE_WRITE_OFFS: {Role.ADMIN, Role.BILLING_MANAGER},
    # Building turns every completed session into claims at once: the billing manager decides when.
    Cap.BUILD_CLAIMS: {Role.ADMIN, Role.BILLING_MANAGER},
    # The account carries the clearinghouse login; billers see it (work_claims), never edit it.
    Cap.MANAGE_CLEARINGHOUSE: {Role.ADMIN, Role.BILLING_MANAGER},
    Cap.VIEW_DASHBOARDS: {Role.ADMIN, Role.BILLING_MANAGER, Role.LEADERSHIP, Role.COMPLIANCE},
    Cap.VIEW_AUDIT: {Role.ADMIN, Role.COMPLIANCE},
    Cap.MANAGE_MEMBERS: {Role.ADMIN},
    Cap.USE_API: _ALL,
    Cap.RUN_JOBS: {Role.ADMIN},
}


def role_has(role: str, cap: Cap | str) -> bool:
    return Role(role) in CAPABILITIES[Cap(cap)]


def capabilities_of(role: str) -> frozenset[Cap]:
    return frozenset(cap for cap, roles in CAPABILITIES.items() if Role(role) in roles)
