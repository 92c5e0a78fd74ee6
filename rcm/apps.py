from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RcmConfig(AppConfig):
    name = "rcm"
    verbose_name = "Platform"

    def ready(self) -> None:
        post_migrate.connect(_sync_security, sender=self)


def _sync_security(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from rcm.tenancy.rls import sync_security

    sync_security(using)
