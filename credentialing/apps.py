from django.apps import AppConfig


class CredentialingConfig(AppConfig):
    name = "credentialing"

    def ready(self) -> None:
        from credentialing.models import Provider
        from rcm.home import home_figure
        from rcm.nav import nav_link

        home_figure(
            "Active providers",
            order=30,
            count=lambda: Provider.objects.filter(is_active=True).count(),
        )
        nav_link("Providers", "credentialing:provider_list", capability="view_providers", order=40)
