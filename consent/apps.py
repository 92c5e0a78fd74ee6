from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self) -> None:
        from consent.selectors import consents_for_patient, qso_agreement_status
        from patients import answers
        from rcm.nav import nav_link
        from rcm.tenancy.part2 import register_agreement_check

        answers.answer("part2_consents", consents_for_patient)
        # A billing company's staff see Part 2 records only under an agreement in force.
        register_agreement_check(qso_agreement_status)
        answers.answer("consent_form_url", _consent_form_url)
        nav_link(
            "QSO agreements", "consent:agreement_list", capability="manage_agreements", order=60
        )


def _consent_form_url(*, org_slug: str, patient: object) -> str:
    from django.urls import reverse

    return reverse(
        "consent:consent_create",
        kwargs={"org_slug": org_slug, "public_id": patient.public_id},  # type: ignore[attr-defined]
    )
