from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self) -> None:
        from consent.selectors import consents_for_patient
        from patients import answers

        answers.answer("part2_consents", consents_for_patient)
        answers.answer("consent_form_url", _consent_form_url)


def _consent_form_url(*, org_slug: str, patient: object) -> str:
    from django.urls import reverse

    return reverse(
        "consent:consent_create",
        kwargs={"org_slug": org_slug, "public_id": patient.public_id},  # type: ignore[attr-defined]
    )
