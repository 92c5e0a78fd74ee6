"""The scrubber's edits, registered on import, in the order a biller reads a claim: can this
payer be billed at all, by these providers, for these sessions, with these diagnoses and codes,
on a well-formed claim. Each module names the source of every rule next to it."""

# The import order is the registry's, so the findings' order: keep it.
# isort: skip_file
from claims.scrub import edits_coverage  # noqa: F401
from claims.scrub import edits_provider  # noqa: F401
from claims.scrub import edits_clinical  # noqa: F401
from claims.scrub import edits_diagnoses  # noqa: F401
from claims.scrub import edits_codes  # noqa: F401
from claims.scrub import edits_identity  # noqa: F401
from claims.scrub import edits_claim  # noqa: F401
