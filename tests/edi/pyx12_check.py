"""Validate X12 text with pyx12 (azoner/pyx12, the HIPAA map-driven validator) and return its
findings as plain strings, so tests can assert `pyx12_errors(text) == []`.

Usage (also for claims built from the database):

    from tests.edi.pyx12_check import pyx12_errors
    assert pyx12_errors(write_837p(batch, ...)) == []

pyx12 picks its map from GS01/GS08 (005010X222A1 837P, 005010X223A2 837I, 005010X214 277CA,
005010X231A1 999). External code lists it cannot check offline (e.g. ZIP codes) are skipped
as pyx12 itself does. Anything pyx12 cannot even start on (no map for the version, not X12) is
reported as an error too, never swallowed.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pyx12.errors
import pyx12.params
import pyx12.x12n_document


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(text: str) -> list[str]:
    """Every error pyx12 reports for `text` (empty list = valid against the TR3 map)."""
    logger = logging.getLogger("pyx12")
    handler = _Collect()
    logger.addHandler(handler)
    report = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=io.StringIO(text),
            fd_997=None,
            fd_html=None,
            fd_json=report,
        )
    except pyx12.errors.EngineError as exc:
        return [f"pyx12 engine error: {exc}"]
    finally:
        logger.removeHandler(handler)
    # pyx12 logs every finding (with its line), including some its JSON report leaves out (GS
    # element errors); the JSON report is the fallback when nothing was logged.
    errors = handler.messages or _flatten(json.loads(report.getvalue() or '{"interchanges": []}'))
    if not ok and not errors:
        errors.append("pyx12 reported the document invalid without details")
    return errors


def _flatten(doc: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for isa in doc["interchanges"]:
        found += [f"ISA: {e['err_cde']} {e['err_str']}" for e in isa["errors"]]
        for gs in isa["groups"]:
            found += [
                f"GS {gs['gs_control_num']}: {e['err_cde']} {e['err_str']}" for e in gs["errors"]
            ]
            for st in gs["transactions"]:
                where = f"ST {st['trn_set_control_num']}"
                found += [f"{where}: {e['err_cde']} {e['err_str']}" for e in st["errors"]]
                for seg in st["segments"]:
                    at = f"{where} segment {seg['seg_count']} {seg['seg_id']} ({seg['name']})"
                    found += [f"{at}: {e['err_cde']} {e['err_str']}" for e in seg["errors"]]
                    for ele in seg["elements"]:
                        found += [
                            f"{at} element {ele['ele_pos']}"
                            f"{'-' + str(ele['subele_pos']) if ele['subele_pos'] else ''}: "
                            f"{e['err_cde']} {e['err_str']}"
                            for e in ele["errors"]
                        ]
    return found
