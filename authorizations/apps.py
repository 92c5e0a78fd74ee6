from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "authorizations"

    def ready(self) -> None:
        from authorizations.consumption import (
            on_program_day_services_changed,
            on_session_corrected,
            on_session_status_changed,
            on_sessions_recorded,
        )
        from authorizations.models import PriorAuthorization
        from authorizations.selectors import authorization_answer, authorization_covering_level
        from patients import answers
        from patients.signals import (
            program_day_services_changed,
            session_corrected,
            session_status_changed,
            sessions_recorded,
        )
        from rcm.home import home_figure
        from rcm.jobs import Job, register
        from rcm.nav import nav_link

        sessions_recorded.connect(on_sessions_recorded, dispatch_uid="auth-units-consumption")
        session_status_changed.connect(
            on_session_status_changed, dispatch_uid="auth-units-on-status"
        )
        session_corrected.connect(on_session_corrected, dispatch_uid="auth-units-on-correction")
        program_day_services_changed.connect(
            on_program_day_services_changed, dispatch_uid="auth-units-on-day-services"
        )
        answers.answer("covering_authorization", authorization_covering_level)
        answers.answer("service_authorization", authorization_answer)
        home_figure(
            "Approved authorizations",
            order=40,
            count=lambda: PriorAuthorization.objects.filter(status="approved").count(),
        )
        nav_link(
            "Authorizations",
            "authorizations:auth_list",
            capability="view_authorizations",
            order=30,
        )
        nav_link("UR queue", "authorizations:ur_queue", capability="view_authorizations", order=31)
        from authorizations.alerts import authorization_alerts

        register(
            Job(
                "authorization_alerts",
                authorization_alerts,
                "nightly",
                "UR alerts: authorizations expiring or running out, reviews due, services and "
                "level changes without an authorization (the UR queue)",
            )
        )
        from authorizations.alerts import alert_raised
        from authorizations.notices import alert_notice

        alert_raised.connect(alert_notice, dispatch_uid="ur-alert-notification")
