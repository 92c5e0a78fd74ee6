from django.urls import path

from denials import views

app_name = "denials"

urlpatterns = [
    path("remittances/", views.remittances, name="remittances"),
    path("remittances/progress/", views.upload_progress, name="upload_progress"),
    path("remittances/<uuid:public_id>/", views.remittance_detail, name="remittance_detail"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("exceptions/<uuid:public_id>/resolve/", views.exception_resolve, name="exception_resolve"),
    path("patients/<uuid:public_id>/payment/", views.patient_payment, name="patient_payment"),
]
