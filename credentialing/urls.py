from django.urls import path

from credentialing import views

app_name = "credentialing"

urlpatterns = [
    path("", views.provider_list, name="provider_list"),
    path("new/", views.provider_create, name="provider_create"),
    path("gaps/", views.gaps, name="gaps"),
    path("<uuid:public_id>/", views.provider_detail, name="provider_detail"),
    path("<uuid:public_id>/edit/", views.provider_edit, name="provider_edit"),
    path("<uuid:public_id>/caqh/", views.caqh_attest, name="caqh_attest"),
    path("<uuid:public_id>/licenses/new/", views.license_add, name="license_add"),
    path("<uuid:public_id>/enrollments/new/", views.enrollment_add, name="enrollment_add"),
    path("<uuid:public_id>/privileges/new/", views.privilege_add, name="privilege_add"),
    path("licenses/<uuid:public_id>/edit/", views.license_edit, name="license_edit"),
    path("licenses/<uuid:public_id>/renew/", views.license_renew, name="license_renew"),
    path("licenses/<uuid:public_id>/status/", views.license_status, name="license_status"),
    path("privileges/<uuid:public_id>/edit/", views.privilege_edit, name="privilege_edit"),
    path("privileges/<uuid:public_id>/end/", views.privilege_end, name="privilege_end"),
]
