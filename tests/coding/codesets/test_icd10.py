"""ICD-10-CM validation against the bundled F/Z table (pure, no database)."""

import pytest

from coding.codesets import (
    InvalidIcd10,
    billable_codes,
    code_set_version,
    description,
    is_sud,
    is_z_sdoh,
    iter_codes,
    normalize_icd10,
    validate_icd10,
)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("f329", "F32.9"),
        (" F32.9 ", "F32.9"),
        ("f32", "F32"),
        ("z5900", "Z59.00"),
        ("F10.20", "F10.20"),
        ("f43.10", "F43.10"),
    ],
)
def test_normalize(raw, normalized):
    assert normalize_icd10(raw) == normalized


@pytest.mark.parametrize(
    ("code", "dotted", "compact", "text"),
    [
        ("F32.9", "F32.9", "F329", "Major depressive disorder, single episode, unspecified"),
        ("f329", "F32.9", "F329", "Major depressive disorder, single episode, unspecified"),
        ("F10.20", "F10.20", "F1020", "Alcohol dependence, uncomplicated"),
        ("F99", "F99", "F99", "Mental disorder, not otherwise specified"),
        ("Z59.00", "Z59.00", "Z5900", "Homelessness unspecified"),
    ],
)
def test_billable_codes_validate(code, dotted, compact, text):
    entry = validate_icd10(code)
    assert (entry.dotted, entry.code, entry.description, entry.billable) == (
        dotted,
        compact,
        text,
        True,
    )


@pytest.mark.parametrize(
    ("code", "reason", "fragment"),
    [
        ("F32", "not_billable", "F32 is not billable: category header, use a more specific code"),
        # In the FY2026 table Z59.0 (homelessness) is a header over Z59.00/Z59.01/Z59.02.
        ("Z59.0", "not_billable", "e.g. Z59.00, Z59.01, Z59.02"),
        ("F10.2", "not_billable", "category header"),
        ("X99.99", "unknown", "unknown code X99.99"),
        ("F32.7", "unknown", "unknown code F32.7"),
        ("F3", "malformed", "'F3' is malformed"),
        ("32.9", "malformed", "malformed"),
        ("F32.91234", "malformed", "malformed"),
        ("", "malformed", "malformed"),
    ],
)
def test_invalid_codes_say_why(code, reason, fragment):
    with pytest.raises(InvalidIcd10) as caught:
        validate_icd10(code)
    assert caught.value.reason == reason
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_description_works_for_headers_and_rejects_unknown():
    assert description("F32") == "Depressive episode"
    assert description("z59.0") == "Homelessness"
    with pytest.raises(InvalidIcd10, match="unknown"):
        description("X99.99")


@pytest.mark.parametrize(
    ("code", "sud"),
    [
        ("F10.20", True),
        ("F11.20", True),
        ("F19.10", True),
        ("F17.210", False),
        ("F09", False),
        ("F20.9", False),
        ("Z59.00", False),
        ("f1020", True),
    ],
)
def test_is_sud(code, sud):
    assert is_sud(code) is sud


def test_nicotine_is_sud_only_when_asked():
    assert is_sud("F17.210", include_nicotine=True) is True


@pytest.mark.parametrize(
    ("code", "sdoh"),
    [
        ("Z55.0", True),
        ("Z59.00", True),
        ("Z65.9", True),
        ("Z54", False),
        ("Z66", False),
        ("F32.9", False),
    ],
)
def test_is_z_sdoh(code, sdoh):
    assert is_z_sdoh(code) is sdoh


def test_table_size_and_version():
    f_codes = billable_codes("F")
    assert len(f_codes) > 400
    assert all(c.code.startswith("F") and c.billable for c in f_codes)
    sdoh = [c for c in billable_codes("Z") if is_z_sdoh(c.code)]
    assert len(sdoh) > 50
    assert "FY20" in code_set_version()


def test_headers_are_listed_but_not_billable():
    entries = {c.code: c for c in iter_codes()}
    assert entries["F32"].billable is False
    assert entries["F329"].billable is True
    assert [c.dotted for c in billable_codes("F32.8")] == ["F32.81", "F32.89"]


def test_bundled_table_matches_installed_library(tmp_path):
    """Fails after a library upgrade until build_icd10.py is re-run and the TSV committed."""
    from coding.codesets import build_icd10
    from coding.codesets.icd10 import DATA_FILE

    out = tmp_path / "icd10.tsv"
    count = build_icd10.build(out)
    assert count == sum(1 for _ in iter_codes())
    assert out.read_text(encoding="utf-8") == DATA_FILE.read_text(encoding="utf-8")
