"""The Closure model and the public-holiday region now belong to departments (their
migration 0002 took the table over and copied the region)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("departments", "0002_closure_contact_holidays"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Closure")],
            database_operations=[],
        ),
        migrations.RemoveField(model_name="bookingsettings", name="holiday_country"),
        migrations.RemoveField(model_name="bookingsettings", name="holiday_subdivision"),
    ]
