"""Patients API: importing the modules registers their viewsets with rcm.api.urls."""

from patients.api import clinical  # noqa: F401
