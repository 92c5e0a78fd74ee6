"""Django-free X12 5010: the boundary with clearinghouses and payers (ARCHITECTURE.md "The shape").

- `edi.x12`: reader (`parse`, `transactions`, `X12Error`) and `edi.x12_writer`: envelopes.
- `edi.claim837`: the 837 batch as frozen dataclasses; `edi.x837`: `write_837p`, `write_837i`.
- `edi.x837_read.list_claims`: the claims in a received 837 (for a simulated clearinghouse).
- `edi.ack999` and `edi.ack277`: 999 and 277CA readers and writers.
- `edi.x835`: `read_835` and `balance_errors`; `edi.x835_write.write_835`.
- `edi.x276` (`write_276`, `read_276`) and `edi.x277` (`read_277`, `write_277`): claim status.
- `edi.x270` (`write_270`, `read_270`) and `edi.x271` (`read_271`, `write_271`): eligibility;
  `edi.benefits.benefit_card` / `changes`: the behavioral-health benefit card from a 271;
  `edi.eligibility_scenarios`: the sandbox's deterministic 271 answers.

No Django and no project app is imported here (an import-linter contract keeps it so).
"""
