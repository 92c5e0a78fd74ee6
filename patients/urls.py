from patients.views import clinical, payers

app_name = "patients"

urlpatterns = clinical.urlpatterns + payers.urlpatterns
