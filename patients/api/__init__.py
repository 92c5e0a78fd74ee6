"""Patients API: importing the modules registers their viewsets with rcm.api.urls."""

from patients.api import clinical, preview  # noqa: F401
