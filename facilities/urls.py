from django.urls import path

from facilities.views import facility_create_view, facility_edit, facility_list

app_name = "facilities"

urlpatterns = [
    path("", facility_list, name="facility_list"),
    path("new/", facility_create_view, name="facility_create"),
    path("<uuid:public_id>/edit/", facility_edit, name="facility_edit"),
]
