from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"

    def ready(self) -> None:
        from claims.eligibility_jobs import JOBS
        from claims.eligibility_views import eligibility_panel
        from claims.selectors import session_claim
        from claims.selectors.credentialing import services_outside_enrollment
        from credentialing import alerts
        from patients import answers
        from patients.panels import patient_panel
        from rcm.jobs import register
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
        for job in JOBS:
            register(job)
        # Each coverage's latest benefit card and the "Check eligibility" button.
        patient_panel(
            "eligibility",
            template="claims/_patient_eligibility.html",
            context=eligibility_panel,
            order=20,
        )
        from claims.eligibility import coverage_inactive
        from claims.eligibility_notices import on_coverage_inactive

        coverage_inactive.connect(on_coverage_inactive, dispatch_uid="eligibility-inactive-notice")
