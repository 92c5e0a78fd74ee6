from django.apps import AppConfig


class PayersConfig(AppConfig):
    name = "payers"

    def ready(self) -> None:
        from rcm.nav import nav_link

        nav_link("Payers", "payers:payer_list", capability="view_providers", order=50)
