from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from notifications.jobs import JOBS
        from rcm.jobs import register

        for job in JOBS:
            register(job)
