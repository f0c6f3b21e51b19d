from django.db import migrations, models

# Every event has its visit: the statement storing an event upserts the visit with it.
COPY_FROM_SESSIONS_SQL = """
UPDATE visits_visit AS e
SET session_started_at = s.started_at, session_visitor_id = s.visitor_id
FROM visits_session AS s
WHERE s.session_id = e.session_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_rollups"),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="session_started_at",
            field=models.DateTimeField(null=True, help_text="When the event's visit started."),
        ),
        migrations.AddField(
            model_name="visit",
            name="session_visitor_id",
            field=models.BigIntegerField(null=True, help_text="The visit's counted visitor."),
        ),
        migrations.RunSQL(COPY_FROM_SESSIONS_SQL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="visit",
            name="session_started_at",
            field=models.DateTimeField(help_text="When the event's visit started."),
        ),
        migrations.AlterField(
            model_name="visit",
            name="session_visitor_id",
            field=models.BigIntegerField(help_text="The visit's counted visitor."),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["site", "session_started_at"], name="visit_site_session_start"
            ),
        ),
    ]
