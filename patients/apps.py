from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"

    def ready(self) -> None:
        from patients.models import EpisodeOfCare, Patient
        from rcm.home import home_figure
        from rcm.nav import nav_link

        home_figure(
            "Active patients",
            order=10,
            count=lambda: Patient.objects.filter(is_active=True).count(),
        )
        home_figure(
            "Open episodes",
            order=20,
            count=lambda: EpisodeOfCare.objects.filter(status="active").count(),
        )
        nav_link("Patients", "patients:patient_list", capability="view_patients", order=10)
        nav_link("Sessions", "patients:session_list", capability="view_patients", order=20)
