"""Each organization's IANA time zone, and the local-time facts built on it.

A session at 23:30 in California is on that California date, whatever the UTC date is; "today"
in consent, authorization and expiry decisions is the clinic's today. `org_context` activates
the org's zone (django.utils.timezone), so `timezone.localdate()` and `timezone.localtime()`
answer in it everywhere: pages, API, services and Celery tasks.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo

from django.core.exceptions import ValidationError

# A new org gets the zone it is created with; this is only the model's fallback.
DEFAULT_TIME_ZONE = "America/New_York"
# Offered first on pages: the zones of US states and territories most clinics are in.
COMMON_US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
)


@functools.cache
def available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    if name not in available_zones():
        raise ValidationError(
            f"{name!r} is not an IANA time zone name (for example America/Los_Angeles)."
        )


def zone_choices() -> list[tuple[str, str]]:
    rest = sorted(available_zones() - set(COMMON_US_ZONES) - {"localtime", "Factory"})
    return [(z, z) for z in (*COMMON_US_ZONES, *rest)]


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change (e.g. 02:30 on a spring-forward
    day in the US): no moment has that local time."""


def local_moment(
    day: datetime.date, clock: datetime.time, zone: datetime.tzinfo
) -> datetime.datetime:
    """The moment (in UTC) of `day` + `clock` on the wall clock of `zone`. An ambiguous time
    (the repeated hour when clocks go back) is read as its first occurrence; a skipped one
    raises. UTC, because Python compares and subtracts datetimes that share a tzinfo on the
    wall clock, which is wrong across a daylight-saving change."""
    naive = datetime.datetime.combine(day, clock)
    moment = naive.replace(tzinfo=zone, fold=0).astimezone(datetime.UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"{clock:%H:%M} on {day} does not exist in {zone} (clocks moved forward)."
        )
    return moment
