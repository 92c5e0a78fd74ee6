from django.urls import path

from denials import report_views

app_name = "reports_all"

urlpatterns = [
    path("ar/", report_views.ar_overview, name="ar"),
]
