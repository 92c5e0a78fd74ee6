from django.apps import AppConfig


class DenialsConfig(AppConfig):
    name = "denials"
