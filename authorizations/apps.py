from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "authorizations"

    def ready(self) -> None:
        from authorizations.consumption import on_session_status_changed, on_sessions_recorded
        from patients.signals import session_status_changed, sessions_recorded

        sessions_recorded.connect(on_sessions_recorded, dispatch_uid="auth-units-consumption")
        session_status_changed.connect(
            on_session_status_changed, dispatch_uid="auth-units-on-status"
        )
