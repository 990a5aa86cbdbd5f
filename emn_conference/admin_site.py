"""The admin site, with "View on site" asking for permission first.

Django's `admin/r/<content type>/<id>/` redirects any staff member to an object's public
address without checking that they may see the object: for a registration, the address holds
its reference, which an agenda editor must not learn. Here it answers 404 unless the user may
view (or change) that kind of object.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.urls import path


class ConferenceAdminSite(admin.AdminSite):
    def get_urls(self):
        checked = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [
            checked if getattr(pattern, "name", None) == "view_on_site" else pattern
            for pattern in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        try:
            content_type = ContentType.objects.get_for_id(content_type_id)
        except ContentType.DoesNotExist as missing:
            raise Http404 from missing
        label = f"{content_type.app_label}.%s_{content_type.model}"
        if not (request.user.has_perm(label % "view") or request.user.has_perm(label % "change")):
            raise Http404
        return shortcut(request, content_type_id, object_id)
