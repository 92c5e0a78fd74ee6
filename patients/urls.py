from patients.views import clinical

app_name = "patients"

urlpatterns = clinical.urlpatterns
