from django.urls import path

from denials import report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.dashboard, name="dashboard"),
    path("claims/", report_views.claims, name="claims"),
    path("csv/", report_views.table_csv, name="csv"),
]
