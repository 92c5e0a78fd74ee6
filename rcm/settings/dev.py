from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)  # noqa: F405
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")  # noqa: F405
