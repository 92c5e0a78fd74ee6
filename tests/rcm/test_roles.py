"""The role x capability matrix, written out so any change to it is deliberate."""

from __future__ import annotations

import pytest

from rcm.permissions import CAPABILITIES, Cap, Role, role_has

# Columns: admin, billing_manager, biller, intake, clinician, leadership, compliance
MATRIX = {
    "view_patients": "1111101",
    "edit_patients": "1101000",
    "record_consent": "1001001",
    "log_disclosures": "1000101",
    "manage_agreements": "1000001",
    "record_sessions": "1101100",
    "view_authorizations": "1111101",
    "edit_authorizations": "1111000",
    "view_providers": "1111111",
    "edit_providers": "1100000",
    "edit_payer_rules": "1100000",
    "work_claims": "1110000",
    "approve_write_offs": "1100000",
    "build_claims": "1100000",
    "manage_clearinghouse": "1100000",
    "view_dashboards": "1100011",
    "view_audit": "1000001",
    "manage_members": "1000000",
    "run_jobs": "1000000",
    "use_api": "1111111",
}
ROLES = ["admin", "billing_manager", "biller", "intake", "clinician", "leadership", "compliance"]


def test_the_matrix_names_every_role_and_capability():
    assert set(MATRIX) == {c.value for c in Cap}
    assert set(ROLES) == {r.value for r in Role}
    assert set(CAPABILITIES) == set(Cap)


@pytest.mark.parametrize("cap", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_capability_matrix(role, cap):
    expected = MATRIX[cap][ROLES.index(role)] == "1"
    assert role_has(role, cap) is expected


@pytest.mark.django_db
def test_leadership_is_read_only_and_sees_no_patient_records(client, org_a):
    from tests import factories

    client.force_login(factories.member(org_a, role="leadership"))
    assert client.get(f"/o/{org_a.slug}/").status_code == 200
    assert client.get(f"/o/{org_a.slug}/audit/access/").status_code == 403


@pytest.mark.django_db
def test_only_admins_and_compliance_read_the_phi_access_log(client, org_a):
    from tests import factories

    for role, status in [("compliance", 200), ("admin", 200), ("biller", 403)]:
        client.force_login(factories.member(org_a, role=role))
        assert client.get(f"/o/{org_a.slug}/audit/access/").status_code == status, role
