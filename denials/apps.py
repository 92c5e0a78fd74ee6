from django.apps import AppConfig


class DenialsConfig(AppConfig):
    name = "denials"

    def ready(self) -> None:
        from denials.alerts import on_deadline_near
        from denials.jobs import JOBS, deadline_near
        from denials.views import account_panel
        from patients.panels import patient_panel
        from rcm.jobs import register
        from rcm.nav import nav_link

        nav_link("Denials", "denials:queue", capability="work_claims", order=36)
        nav_link("Remittances", "denials:remittances", capability="work_claims", order=36)
        nav_link("Posting exceptions", "denials:exceptions", capability="work_claims", order=37)
        nav_link("Reports", "reports:dashboard", capability="view_dashboards", order=70)
        # The patient page shows the patient's balance and ledger (patients never imports us).
        for job in JOBS:
            register(job)
        deadline_near.connect(on_deadline_near, dispatch_uid="denials-deadline-notify")
        patient_panel(
            "account", template="denials/_patient_account.html", context=account_panel, order=50
        )
