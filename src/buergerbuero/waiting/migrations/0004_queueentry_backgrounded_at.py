from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("waiting", "0003_queueentry_disconnected_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="queueentry",
            name="backgrounded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="queueentry",
            name="missed_call_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
