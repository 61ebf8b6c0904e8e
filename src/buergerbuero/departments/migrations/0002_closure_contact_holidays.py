"""Closures move here from bookings (same table: the walk-in office obeys them too);
contact fields; the public-holiday region moves here from the booking settings."""

import django.db.models.deletion
from django.db import migrations, models


def copy_holiday_region(apps, schema_editor):
    BookingSettings = apps.get_model("bookings", "BookingSettings")
    Department = apps.get_model("departments", "Department")
    for settings in BookingSettings.objects.all():
        Department.objects.filter(pk=settings.department_id).update(
            holiday_country=settings.holiday_country,
            holiday_subdivision=settings.holiday_subdivision,
        )


def copy_back(apps, schema_editor):
    BookingSettings = apps.get_model("bookings", "BookingSettings")
    for settings in BookingSettings.objects.select_related("department"):
        settings.holiday_country = settings.department.holiday_country
        settings.holiday_subdivision = settings.department.holiday_subdivision
        settings.save(update_fields=["holiday_country", "holiday_subdivision"])


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
        ("bookings", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Closure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("starts_at", models.DateTimeField(verbose_name="from")),
                        ("ends_at", models.DateTimeField(verbose_name="until")),
                        (
                            "reason",
                            models.CharField(blank=True, max_length=200, verbose_name="reason"),
                        ),
                        (
                            "department",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="closures",
                                to="departments.department",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "bookings_closure",
                        "ordering": ["starts_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("starts_at__lt", models.F("ends_at"))),
                                name="closure_not_empty",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="department",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=40, verbose_name="telephone"),
        ),
        migrations.AddField(
            model_name="department",
            name="contact_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
        ),
        migrations.AddField(
            model_name="department",
            name="contact_address",
            field=models.CharField(blank=True, max_length=240, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="department",
            name="holiday_country",
            field=models.CharField(default="DE", max_length=2),
        ),
        migrations.AddField(
            model_name="department",
            name="holiday_subdivision",
            field=models.CharField(
                blank=True,
                default="NW",
                help_text="Region code, e.g. NW for North Rhine-Westphalia",
                max_length=8,
                verbose_name="public holidays of",
            ),
        ),
        migrations.RunPython(copy_holiday_region, copy_back),
    ]
