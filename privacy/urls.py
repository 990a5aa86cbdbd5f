from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("accounts/data/", views.MyDataView.as_view(), name="data"),
    path("accounts/data.json", views.MyDataJSONView.as_view(), name="data_json"),
    path("accounts/delete/", views.AccountDeleteView.as_view(), name="delete"),
]
