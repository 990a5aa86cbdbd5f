"""Badge runs in the background name their layout (A4, A6 or ID-1 card), not a number per page.

Jobs made before: eight per page is the A4 layout; one per page becomes A6 (the single badge
of the time was the size of an eighth of A4, which A6 replaces).
"""

from django.db import migrations, models

OLD_TO_NEW = {8: "a4", 1: "a6"}


def per_page_to_layout(apps, schema_editor):
    ExportJob = apps.get_model("registrations", "ExportJob")
    for per_page, layout in OLD_TO_NEW.items():
        ExportJob.objects.filter(per_page=per_page).update(badge_layout=layout)


def layout_to_per_page(apps, schema_editor):
    ExportJob = apps.get_model("registrations", "ExportJob")
    ExportJob.objects.filter(badge_layout="a4").update(per_page=8)
    ExportJob.objects.filter(badge_layout__in=["a6", "card"]).update(per_page=1)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0012_messages_and_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="badge_layout",
            field=models.CharField(
                blank=True,
                choices=[
                    ("a4", "Eight per A4 page (105 × 74 mm each)"),
                    ("a6", "One per A6 page (105 × 148 mm)"),
                    ("card", "ID-1 card for card printers (CR80, 85.6 × 54 mm)"),
                ],
                max_length=4,
                verbose_name="badge layout",
            ),
        ),
        migrations.RunPython(per_page_to_layout, layout_to_per_page, elidable=True),
        migrations.RemoveField(
            model_name="exportjob",
            name="per_page",
        ),
    ]
