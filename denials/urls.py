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
    path("", views.queue, name="queue"),
    path("next/", views.next_denial, name="next"),
    path("settings/", views.settings_page, name="settings"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    *(
        path(f"<uuid:public_id>/{name}/", views.action, {"action": name}, name=name)
        for name in views.ACTIONS
    ),
    path("appeals/<uuid:public_id>/", views.appeal_page, name="appeal_page"),
    path("appeals/<uuid:public_id>/pdf/", views.appeal_pdf, name="appeal_pdf"),
    path("appeals/<uuid:public_id>/outcome/", views.appeal_outcome, name="appeal_outcome"),
    path("parity/<uuid:public_id>/", views.escalation, name="escalation"),
    path("parity/<uuid:public_id>/update/", views.escalation_update, name="escalation_update"),
]
