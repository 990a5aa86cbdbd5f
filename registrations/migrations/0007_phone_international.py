"""Phone numbers stored in the international format they are shown in.

PHONENUMBER_DB_FORMAT is now "INTERNATIONAL" (settings): numbers saved from now on are stored
as "+359 2 987 6543"; this converts those stored before as E.164 ("+35929876543"). A value
that is not a valid number stays as it was typed, as the field itself stores it. Written with
phonenumbers and plain UPDATEs, since the field would format by the settings of the day.
"""

import phonenumbers
from django.db import migrations

BATCH = 1000


def _convert(apps, schema_editor, number_format):
    Registration = apps.get_model("registrations", "Registration")
    connection = schema_editor.connection
    table = connection.ops.quote_name(Registration._meta.db_table)
    with connection.cursor() as cursor:
        # The text as stored: the field would hand back a parsed number, not what is stored.
        cursor.execute(f"SELECT id, phone FROM {table} WHERE phone <> ''")  # noqa: S608 - our table
        changes = []
        for pk, text in cursor.fetchall():
            try:
                number = phonenumbers.parse(text)
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(number):
                continue
            formatted = phonenumbers.format_number(number, number_format)
            if formatted != text:
                changes.append((formatted, pk))
        update = f"UPDATE {table} SET phone = %s WHERE id = %s"  # noqa: S608 - our table
        for start in range(0, len(changes), BATCH):
            cursor.executemany(update, changes[start : start + BATCH])


def to_international(apps, schema_editor):
    _convert(apps, schema_editor, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def to_e164(apps, schema_editor):
    _convert(apps, schema_editor, phonenumbers.PhoneNumberFormat.E164)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0006_privacy"),
    ]

    operations = [
        migrations.RunPython(to_international, to_e164, elidable=True),
    ]
