from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RcmConfig(AppConfig):
    name = "rcm"
    verbose_name = "Platform"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        post_migrate.connect(_sync_security, sender=self)
        user_logged_in.connect(_stamp_login, dispatch_uid="rcm-session-start")
        _local_datetimes_in_the_api()


def _local_datetimes_in_the_api() -> None:
    """Every model date-time in the API reads naive input on the org's clock, refusing a time
    that a spring-forward change skips (rcm.api.fields.LocalDateTimeField)."""
    from django.db import models
    from rest_framework import serializers

    from rcm.api.fields import LocalDateTimeField

    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = LocalDateTimeField


def _sync_security(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from rcm.tenancy.rls import sync_security

    sync_security(using)


def _stamp_login(sender: object, request: object, **kwargs: object) -> None:
    """The absolute session timeout counts from the moment of login."""
    import time

    from rcm.middleware import SESSION_STARTED

    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_STARTED] = int(time.time())
