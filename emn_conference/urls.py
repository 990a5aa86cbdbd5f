from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Conference administration")
admin.site.site_title = _("Conference administration")
admin.site.index_title = _("Back office")
# The admin's own log-in knows no rate limit and no second factor: it sends to the site's
# (allauth's), which has both, and back with ?next=. Set before admin.site.urls is built.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = i18n_patterns(
    path("admin/", admin.site.urls),
    # Before allauth's: the person's data pages live under accounts/ too.
    path("", include("privacy.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("registrations.urls")),
    path("", include("events.urls")),
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
