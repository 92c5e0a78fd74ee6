from rcm.tenancy import org_context
from tests import factories


def test_factories_build_one_org_graph(org_a):
    with org_context(org_a):
        s = factories.session()
        c = factories.coverage(patient_obj=s.patient)
        a = factories.authorization(coverage_obj=c)
        k = factories.part2_consent(patient_obj=s.patient)
        ep = factories.episode(patient_obj=s.patient)
    assert {s.org_id, c.org_id, a.org_id, k.org_id, ep.org_id} == {org_a.pk}
