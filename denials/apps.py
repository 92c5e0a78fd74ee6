from django.apps import AppConfig


class DenialsConfig(AppConfig):
    name = "denials"

    def ready(self) -> None:
        from rcm.nav import nav_link

        nav_link("Denials", "denials:queue", capability="work_claims", order=36)
