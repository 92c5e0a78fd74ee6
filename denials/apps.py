from django.apps import AppConfig


class DenialsConfig(AppConfig):
    name = "denials"

    def ready(self) -> None:
        from denials.views import account_panel
        from patients.panels import patient_panel
        from rcm.nav import nav_link

        nav_link("Remittances", "denials:remittances", capability="work_claims", order=36)
        nav_link("Posting exceptions", "denials:exceptions", capability="work_claims", order=37)
        # The patient page shows the patient's balance and ledger (patients never imports us).
        patient_panel(
            "account", template="denials/_patient_account.html", context=account_panel, order=50
        )
