"""Indexes for the registration admin at scale.

- The search (`RegistrationAdmin.get_search_results`: `icontains`, i.e. UPPER(…) LIKE
  '%…%') gets a trigram index (PostgreSQL's pg_trgm, GIN) on each field it searches, on the
  same expression as the query's: UPPER(column). PostgreSQL only: the extension and GIN
  indexes are its own, so on other databases (SQLite in development and tests) this does
  nothing. The indexes are not in the model's Meta for the same reason; the email's is in
  accounts 0002.
- The country filter reads an event's distinct countries from an index (event, country).
"""

from django.db import migrations, models

SEARCHED = [
    "reference",
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "organisation",
]


def _index(column: str) -> str:
    return f"registrations_registration_{column}_trgm"


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(column)} ON registrations_registration "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0007_phone_international"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(fields=["event", "country"], name="registrations_event_country"),
        ),
    ]
