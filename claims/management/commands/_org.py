"""The org a claims command works in (`--org SLUG`): rcm.orgs.org_by_slug."""

from rcm.orgs import org_by_slug

__all__ = ["org_by_slug"]
