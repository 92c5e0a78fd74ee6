from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"

    def ready(self) -> None:
        from rcm.nav import nav_link

        nav_link("Chargemaster", "claims:chargemaster_list", capability="work_claims", order=55)
