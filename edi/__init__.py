"""Django-free X12 5010: the boundary with clearinghouses and payers (ARCHITECTURE.md "The shape").

- `edi.x12`: reader (`parse`, `transactions`, `X12Error`) and `edi.x12_writer`: envelopes.
- `edi.claim837`: the 837 batch as frozen dataclasses; `edi.x837`: `write_837p`, `write_837i`.
- `edi.x837_read.list_claims`: the claims in a received 837 (for a simulated clearinghouse).
- `edi.ack999` and `edi.ack277`: 999 and 277CA readers and writers.

No Django and no project app is imported here (an import-linter contract keeps it so).
"""
