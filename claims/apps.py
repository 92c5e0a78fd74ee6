from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"

    def ready(self) -> None:
        from claims.selectors import session_claim
        from claims.selectors.credentialing import services_outside_enrollment
        from credentialing import alerts
        from patients import answers
        from rcm.nav import nav_link

        # The session page shows the claim's findings for the session (patients never imports
        # claims): it says "held" rather than "would bill" once the scrubber has spoken.
        answers.answer("session_claim", session_claim)
        # The nightly credentialing_alerts job asks which services no enrollment covers.
        alerts.services_outside_enrollment(services_outside_enrollment)
        nav_link(
            "Credentialing tracker",
            "claims:credentialing_tracker",
            capability="edit_providers",
            order=41,
        )
        nav_link("Claims", "claims:queue", capability="work_claims", order=35)
        nav_link("Chargemaster", "claims:chargemaster_list", capability="work_claims", order=55)
        nav_link("Clearinghouse", "claims:clearinghouse", capability="work_claims", order=56)
