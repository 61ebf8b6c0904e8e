"""Department memberships with a role (staff or lead) and per-department presence,
replacing the plain many-to-many; existing members keep their departments as staff.
The old Django permission for booking settings becomes the lead role where it was held."""

import django.db.models.deletion
from django.db import migrations, models

PRESENCE = [("available", "available"), ("paused", "paused"), ("offline", "offline")]


def copy_departments(apps, schema_editor):
    StaffProfile = apps.get_model("staff", "StaffProfile")
    Membership = apps.get_model("staff", "Membership")
    for profile in StaffProfile.objects.prefetch_related("old_departments"):
        user = profile.user
        leads = user.is_superuser or (
            user.user_permissions.filter(codename="change_bookingsettings").exists()
            or user.groups.filter(permissions__codename="change_bookingsettings").exists()
        )
        Membership.objects.bulk_create(
            Membership(
                profile=profile,
                department=department,
                role="lead" if leads else "staff",
                presence=profile.presence,
            )
            for department in profile.old_departments.all()
        )
        if user.is_superuser:
            StaffProfile.objects.filter(pk=profile.pk).update(is_administrator=True)


def copy_back(apps, schema_editor):
    Membership = apps.get_model("staff", "Membership")
    for membership in Membership.objects.all():
        membership.profile.old_departments.add(membership.department)


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
        ("staff", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RenameField("staffprofile", "departments", "old_departments"),
        migrations.AlterField(
            model_name="staffprofile",
            name="old_departments",
            field=models.ManyToManyField(related_name="+", to="departments.department"),
        ),
        migrations.AddField(
            model_name="staffprofile",
            name="is_administrator",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Administers every department, staff accounts, roles and system settings."
                ),
                verbose_name="administrator",
            ),
        ),
        migrations.AlterModelOptions(
            name="staffprofile",
            options={"verbose_name": "staff profile", "verbose_name_plural": "staff profiles"},
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("staff", "staff member"), ("lead", "department lead")],
                        default="staff",
                        max_length=12,
                        verbose_name="role",
                    ),
                ),
                (
                    "presence",
                    models.CharField(choices=PRESENCE, default="offline", max_length=12),
                ),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="departments.department",
                    ),
                ),
                (
                    "profile",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="staff.staffprofile",
                    ),
                ),
            ],
            options={"verbose_name": "membership", "verbose_name_plural": "memberships"},
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                fields=("profile", "department"), name="one_membership_each"
            ),
        ),
        migrations.RunPython(copy_departments, copy_back),
        migrations.RemoveField("staffprofile", "old_departments"),
        migrations.AddField(
            model_name="staffprofile",
            name="departments",
            field=models.ManyToManyField(
                related_name="staff", through="staff.Membership", to="departments.department"
            ),
        ),
    ]
