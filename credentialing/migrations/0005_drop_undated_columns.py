"""The undated columns go: their values now live in the history tables (0004 moved them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("credentialing", "0004_history_from_rows"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="license",
            name="license_expires_after_issue",
        ),
        migrations.RemoveConstraint(
            model_name="payerenrollment",
            name="enrolled_has_effective_date",
        ),
        migrations.RemoveConstraint(
            model_name="payerenrollment",
            name="enrollment_recredential_after_effective",
        ),
        migrations.RemoveConstraint(
            model_name="payerenrollment",
            name="enrollment_ends_after_effective",
        ),
        migrations.RemoveField(
            model_name="license",
            name="expires_on",
        ),
        migrations.RemoveField(
            model_name="license",
            name="issued_on",
        ),
        migrations.RemoveField(
            model_name="license",
            name="status",
        ),
        migrations.RemoveField(
            model_name="payerenrollment",
            name="effective_date",
        ),
        migrations.RemoveField(
            model_name="payerenrollment",
            name="end_date",
        ),
    ]
