"""A trigram index on the email address, for the registration admin's search by email
(`icontains`, i.e. UPPER(email) LIKE '%…%'): see registrations 0008. PostgreSQL only; on
other databases this does nothing."""

from django.db import migrations

INDEX = "accounts_user_email_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_user USING gin (UPPER(email) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
