"""One sequence numbers every claim's patient control number (CLM01): unique across orgs
without carrying anything about the patient."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS claims_control_seq START 100001",
            "DROP SEQUENCE IF EXISTS claims_control_seq",
        ),
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS claims_interchange_seq START 1 MAXVALUE 999999999 CYCLE",
            "DROP SEQUENCE IF EXISTS claims_interchange_seq",
        ),
    ]
