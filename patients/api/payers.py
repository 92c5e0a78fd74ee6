"""Viewsets land here."""
