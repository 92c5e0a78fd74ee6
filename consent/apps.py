from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self) -> None:
        from consent.selectors import consents_for_patient
        from patients import answers

        answers.answer("part2_consents", consents_for_patient)
