"""Carry existing rows into the dated history: each license's dates become its first period and
a status other than active becomes a status change; each enrollment's dates become its first
period. The tables are under row-level security (forced for the owner too), so rows are copied
one organization at a time with that organization set, as the app would see them."""

import datetime as dt

from django.db import migrations

LICENSE_PERIODS = """
INSERT INTO credentialing_licenseperiod (org_id, license_id, starts_on, expires_on)
SELECT org_id, id, issued_on, expires_on FROM credentialing_license WHERE org_id = %s
"""
# When a status took effect was never recorded: it applies from the license's issue date, or
# from the day of this migration when that is unknown (as a status recorded today would).
LICENSE_STATUSES = """
INSERT INTO credentialing_licensestatuschange (org_id, license_id, status, effective_on, note)
SELECT org_id, id, status, COALESCE(issued_on, %s), 'Carried over; date not recorded'
FROM credentialing_license WHERE org_id = %s AND status <> 'active'
"""
ENROLLMENT_PERIODS = """
INSERT INTO credentialing_enrollmentperiod (org_id, enrollment_id, effective_date, end_date)
SELECT org_id, id, effective_date, end_date FROM credentialing_payerenrollment
WHERE org_id = %s AND effective_date IS NOT NULL
"""


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id FROM rcm_organization ORDER BY id")
        for (org_id,) in cur.fetchall():
            cur.execute("SELECT set_config('rcm.org_id', %s, true)", [str(org_id)])
            cur.execute(LICENSE_PERIODS, [org_id])
            cur.execute(LICENSE_STATUSES, [dt.date.today(), org_id])
            cur.execute(ENROLLMENT_PERIODS, [org_id])
        cur.execute("SELECT set_config('rcm.org_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("credentialing", "0003_dated_history"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
