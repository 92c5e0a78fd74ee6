"""django-guardian object permissions on restricted records, stored in direct-FK tables that
carry the org (and so sit behind row-level security like every tenant table)."""

from __future__ import annotations

import pytest
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, remove_perm

from patients.models import EpisodeUserObjectPermission
from rcm.tenancy import org_context
from tests import factories


@pytest.mark.django_db
def test_part2_access_is_granted_per_episode_and_the_grant_carries_the_org(org_a, org_b):
    counselor = factories.member(org_a, role="clinician")
    other = factories.member(org_a, role="clinician")
    with org_context(org_a):
        sud = factories.episode(program="sud", part2_applies=True)
        mh = factories.episode(program="mh")
        assign_perm("patients.view_part2_records", counselor, sud)
        grant = EpisodeUserObjectPermission.objects.get(user=counselor)
        assert grant.org_id == org_a.pk and grant.content_object_id == sud.pk
        assert ObjectPermissionChecker(counselor).has_perm("view_part2_records", sud)
        assert not ObjectPermissionChecker(counselor).has_perm("view_part2_records", mh)
        assert not ObjectPermissionChecker(other).has_perm("view_part2_records", sud)
    with org_context(org_b):
        assert not EpisodeUserObjectPermission.objects.filter(user=counselor).exists()
    with org_context(org_a):
        remove_perm("patients.view_part2_records", counselor, sud)
        assert not ObjectPermissionChecker(counselor).has_perm("view_part2_records", sud)
