from django.apps import AppConfig


class CredentialingConfig(AppConfig):
    name = "credentialing"

    def ready(self) -> None:
        from credentialing.alerts import alert_raised, credentialing_alerts_run
        from credentialing.models import Provider
        from credentialing.notify import on_alert_raised
        from rcm.home import home_figure
        from rcm.jobs import Job, register
        from rcm.nav import nav_link

        home_figure(
            "Active providers",
            order=30,
            count=lambda: Provider.objects.filter(is_active=True).count(),
        )
        nav_link("Providers", "credentialing:provider_list", capability="view_providers", order=40)
        alert_raised.connect(on_alert_raised, dispatch_uid="credentialing_alert_notify")
        register(
            Job(
                "credentialing_alerts",
                credentialing_alerts_run,
                "nightly",
                "Licenses expiring within 60 days, CAQH re-attestations due within 14 days, "
                "recredentialing due within 90 days, and services billed outside enrollment: "
                "one alert per condition, refreshed while open, resolved when gone.",
            )
        )
