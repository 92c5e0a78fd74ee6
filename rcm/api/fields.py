"""API fields that read local times the way the pages do."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from rcm.timezones import NonexistentLocalTime, local_moment


class LocalDateTimeField(serializers.DateTimeField):
    """A date-time without an offset is read on the org's clock (its zone is current inside
    the request); one that a spring-forward change skips is refused, never shifted, and a
    repeated fall-back time is its first occurrence, as on the session form. Values with an
    offset are taken as given."""

    def enforce_timezone(self, value: datetime.datetime) -> Any:
        if timezone.is_naive(value):
            try:
                value = local_moment(value.date(), value.time(), timezone.get_current_timezone())
            except NonexistentLocalTime as exc:
                raise serializers.ValidationError(str(exc)) from exc
        return super().enforce_timezone(value)
