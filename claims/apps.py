from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"

    def ready(self) -> None:
        from claims.selectors import session_claim
        from patients import answers
        from rcm.nav import nav_link

        # The session page shows the claim's findings for the session (patients never imports
        # claims): it says "held" rather than "would bill" once the scrubber has spoken.
        answers.answer("session_claim", session_claim)
        nav_link("Claims", "claims:queue", capability="work_claims", order=35)
        nav_link("Chargemaster", "claims:chargemaster_list", capability="work_claims", order=55)
        nav_link("Clearinghouse", "claims:clearinghouse", capability="work_claims", order=56)
