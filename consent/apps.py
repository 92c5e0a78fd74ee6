from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self) -> None:
        from consent.selectors import consents_for_patient, qso_agreement_status
        from patients import answers
        from rcm.tenancy.part2 import register_agreement_check

        answers.answer("part2_consents", consents_for_patient)
        # A billing company's staff see Part 2 records only under an agreement in force.
        register_agreement_check(qso_agreement_status)
