from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<uuid:public_id>/", views.open_notification, name="open"),
    path("<uuid:public_id>/read/", views.mark_read, name="read"),
]
