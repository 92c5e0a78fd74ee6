"""Each new UR alert notifies the members who work authorizations, once (the alert is the
dedupe key), without the patient's name in the title."""

from __future__ import annotations

import datetime as dt

from authorizations.alerts import alert_raised
from authorizations.models import UrAlert
from notifications.models import Notification
from tests import factories


def test_a_new_ur_alert_notifies_the_members_who_work_authorizations(in_org_a, org_a):
    intake = factories.member(org_a, role="intake", part2_access=True)
    clinician = factories.member(org_a, role="clinician", part2_access=True)
    patient = factories.patient(last_name="Whitfield")
    alert = UrAlert.objects.create(
        kind=UrAlert.Kind.EXPIRING,
        subject="auth:1",
        patient=patient,
        due_date=dt.date(2026, 12, 1),
        created_on=dt.date(2026, 11, 27),
        last_seen_on=dt.date(2026, 11, 27),
    )
    alert_raised.send(sender=UrAlert, alert=alert)
    alert_raised.send(sender=UrAlert, alert=alert)  # the same alert again: nothing new
    mine = Notification.objects.filter(user=intake)
    assert mine.count() == 1
    note = mine.get()
    assert note.kind == "authorization_expiring" and "Whitfield" not in note.title
    assert "Whitfield" in note.body and note.url.startswith(f"/o/{org_a.slug}/authorizations/ur/")
    assert not Notification.objects.filter(user=clinician).exists()
