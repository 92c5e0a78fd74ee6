import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only, tests only
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "rcm-test")  # noqa: F405

# The test database is created and migrated as the owner role; tests/conftest.py then
# reconnects as the application role, so every test runs behind row-level security.
RCM_TEST_APP_DB = dj_database_url.parse(DATABASE_URL)  # noqa: F405
DATABASES = {"default": dj_database_url.parse(DATABASE_OWNER_URL)}  # noqa: F405
# One test database per test process, so concurrent runs on one server never collide.
DATABASES["default"]["TEST"] = {
    "NAME": env("RCM_TEST_DB_NAME", f"test_{DATABASES['default']['NAME']}_{os.getpid()}")  # noqa: F405
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
