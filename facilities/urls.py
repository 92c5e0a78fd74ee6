from django.urls import path

from facilities.views import (
    billing_profile_create_view,
    billing_profile_deactivate_view,
    billing_profile_edit,
    facility_create_view,
    facility_detail,
    facility_edit,
    facility_list,
)

app_name = "facilities"

urlpatterns = [
    path("", facility_list, name="facility_list"),
    path("new/", facility_create_view, name="facility_create"),
    path("<uuid:public_id>/", facility_detail, name="facility_detail"),
    path("<uuid:public_id>/edit/", facility_edit, name="facility_edit"),
    path(
        "<uuid:public_id>/billing-profiles/new/",
        billing_profile_create_view,
        name="billing_profile_create",
    ),
    path(
        "billing-profiles/<uuid:public_id>/edit/",
        billing_profile_edit,
        name="billing_profile_edit",
    ),
    path(
        "billing-profiles/<uuid:public_id>/deactivate/",
        billing_profile_deactivate_view,
        name="billing_profile_deactivate",
    ),
]
