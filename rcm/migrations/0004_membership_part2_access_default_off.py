# New memberships have no Part 2 access until an admin grants it (also as a database default,
# so rows written by raw SQL fail closed too). Existing memberships keep the value they have:
# a billing company's staff now also need an agreement in force (rcm.tenancy.part2), and the
# program's own staff are not locked out by an upgrade; admins review grants on the Members page.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rcm", "0003_organization_time_zone"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="part2_access",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
