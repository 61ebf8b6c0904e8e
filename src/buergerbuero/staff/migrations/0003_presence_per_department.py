"""Presence lives on the memberships only (0002 copied each profile's presence into its
memberships); console connections are counted so that closing the last console tab sets
the member offline."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_membership_roles")]

    operations = [
        migrations.RemoveField(model_name="staffprofile", name="presence"),
        migrations.CreateModel(
            name="ConsoleConnection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=200, unique=True)),
                ("seen_at", models.DateTimeField()),
                (
                    "profile",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="console_connections",
                        to="staff.staffprofile",
                    ),
                ),
            ],
        ),
    ]
