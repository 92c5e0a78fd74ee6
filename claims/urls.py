from django.urls import path

from claims.chargemaster import views as chargemaster

app_name = "claims"

urlpatterns = [
    path("chargemaster/", chargemaster.chargemaster_list, name="chargemaster_list"),
    path("chargemaster/new/", chargemaster.chargemaster_create, name="chargemaster_create"),
    path("chargemaster/import/", chargemaster.chargemaster_import, name="chargemaster_import"),
    path(
        "chargemaster/<uuid:public_id>/edit/",
        chargemaster.chargemaster_edit,
        name="chargemaster_edit",
    ),
    path(
        "chargemaster/<uuid:public_id>/end/",
        chargemaster.chargemaster_end,
        name="chargemaster_end",
    ),
]
