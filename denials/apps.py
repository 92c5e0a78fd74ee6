from django.apps import AppConfig


class DenialsConfig(AppConfig):
    name = "denials"

    def ready(self) -> None:
        from rcm.nav import nav_link

        nav_link("Reports", "reports:dashboard", capability="view_dashboards", order=70)
