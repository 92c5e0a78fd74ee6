"""The claims app's API (registered with the org router): the chargemaster for now."""

from claims.chargemaster.api import ChargemasterViewSet
from rcm.api.urls import register

register("chargemaster", ChargemasterViewSet, "chargemaster-entry")
