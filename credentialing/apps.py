from django.apps import AppConfig


class CredentialingConfig(AppConfig):
    name = "credentialing"
