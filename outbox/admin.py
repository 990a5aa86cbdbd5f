from django.contrib import admin

from emn_conference.record_admin import RecordAdmin

from .models import Email


@admin.register(Email)
class EmailAdmin(RecordAdmin):
    """Account mail (verification, password reset) as a record: read-only, text not kept."""

    list_display = ["subject", "status", "attempts", "error", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to"]
    fields = [*list_display, "to", "next_attempt_at"]
    readonly_fields = fields
