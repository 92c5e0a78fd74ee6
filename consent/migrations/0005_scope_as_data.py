# The consent's scope as data (information categories) and what each disclosure carried.
# Existing consents get no categories: the gate releases nothing under them until the signed
# consent is recorded again with its categories (fails closed rather than guess from the text).

import django.contrib.postgres.fields
from django.db import migrations, models

CATEGORIES = [
    "demographics",
    "attendance",
    "diagnoses",
    "services",
    "claims_payment",
    "treatment_records",
    "counseling_notes",
]


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0004_consent_recipient_covered_entity"),
    ]

    operations = [
        migrations.AddField(
            model_name="part2consent",
            name="information_categories",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=20), blank=True, default=list, size=None
            ),
        ),
        migrations.AddField(
            model_name="disclosure",
            name="information_categories",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=20), default=list, size=None
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="disclosure",
            name="recipient_address",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(("information_categories__contained_by", CATEGORIES)),
                name="consent_categories_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "counseling_notes"))
                | ~models.Q(("information_categories__contains", ["counseling_notes"])),
                name="consent_notes_only_in_a_notes_consent",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=~models.Q(("kind", "counseling_notes"))
                | models.Q(("information_categories__contained_by", ["counseling_notes"])),
                name="consent_notes_consent_releases_notes_only",
            ),
        ),
        migrations.AddConstraint(
            model_name="disclosure",
            constraint=models.CheckConstraint(
                condition=models.Q(("information_categories__len__gt", 0))
                & models.Q(("information_categories__contained_by", CATEGORIES)),
                name="disclosure_says_what_it_carried",
            ),
        ),
    ]
