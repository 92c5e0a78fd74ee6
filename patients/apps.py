from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"

    def ready(self) -> None:
        from patients.models import EpisodeOfCare, Patient
        from rcm.home import home_figure

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
