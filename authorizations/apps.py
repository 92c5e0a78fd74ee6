from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "authorizations"

    def ready(self) -> None:
        from authorizations.consumption import on_sessions_recorded
        from patients.signals import sessions_recorded

        sessions_recorded.connect(on_sessions_recorded, dispatch_uid="auth-units-consumption")
