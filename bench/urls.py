"""The site's URLs and the floors the suite compares them with, only in the suite's processes
(DJANGO_SETTINGS_MODULE=bench.settings): nothing here is in the shipped URLconf."""

from django.urls import path

from emn_conference.urls import urlpatterns as site_urlpatterns

from . import floors

urlpatterns = [
    path("bench/floor/register/<slug:slug>/", floors.register_view, name="bench_floor_register"),
    path("bench/floor/<str:name>", floors.same_bytes_view, name="bench_floor"),
    *site_urlpatterns,
]
