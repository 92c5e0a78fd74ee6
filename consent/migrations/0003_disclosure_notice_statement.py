# Each disclosure records the §2.32(a) statement and the §2.32(b) scope explanation it carried.
# No code path wrote disclosures before this migration (the gate had no callers outside tests),
# so there are no rows to backfill; a row without them would fail the new check, loudly.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="disclosure",
            name="notice_statement",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "Statement 1 (42 CFR 2.32(a)(1))"),
                    (2, "Statement 2 (42 CFR 2.32(a)(2))"),
                ],
                default=0,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="disclosure",
            name="scope_explanation",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="disclosure",
            constraint=models.CheckConstraint(
                condition=models.Q(("notice_statement__in", [1, 2]))
                & ~models.Q(("scope_explanation", "")),
                name="disclosure_carries_the_2_32_notice",
            ),
        ),
    ]
