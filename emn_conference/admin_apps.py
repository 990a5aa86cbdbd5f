"""Django's admin app, with our site as `admin.site` (kept apart from admin_site.py, which
imports models and so cannot be loaded while INSTALLED_APPS are read)."""

from django.contrib.admin.apps import AdminConfig


class ConferenceAdminConfig(AdminConfig):
    default_site = "emn_conference.admin_site.ConferenceAdminSite"
