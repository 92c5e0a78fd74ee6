"""CSV import of a chargemaster: every row or none, each problem named by its row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claims.chargemaster.csv_import import chargemaster_import_csv
from claims.models import ChargemasterEntry
from tests import factories

pytestmark = pytest.mark.django_db
HEADER = "code,revenue_code,modifiers,description,amount,effective_from\n"


def _problems(content: str | bytes, **kwargs: object) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        chargemaster_import_csv(content=content, **kwargs)
    return caught.value.message_dict["csv"]


def test_a_good_file_is_imported_whole(in_org_a):
    content = (
        "\ufeffCode,Revenue_Code,Modifiers,Description,Amount,Effective_From,effective_to\n"
        "90837,,,Psychotherapy 60,200.00,2026-01-01,\n"
        "H0005,,HQ,Group counseling,28,2026-01-01,2026-12-31\n"
        "H0015,906,,IOP per diem,310,2026-01-01,\n"
        ",1002,,Residential SUD,700,2026-01-01,\n"
        "\n"
    )
    result = chargemaster_import_csv(content=content.encode("utf-8"))
    assert (result.created, result.superseded) == (4, 0)
    h0015 = ChargemasterEntry.objects.get(code="H0015")
    assert (h0015.revenue_code, h0015.amount) == ("0906", Decimal("310.00"))
    assert ChargemasterEntry.objects.get(code="H0005").modifiers == ["HQ"]


def test_one_bad_row_refuses_the_whole_file_with_each_problem_by_row(in_org_a):
    content = HEADER + (
        "90837,,,ok,200,2026-01-01\n"
        "90834,,,bad amount,abc,2026-01-01\n"
        "9083,,,bad code,100,2026-01-01\n"
        "90832,,H,bad modifier,100,01/01/2026\n"
    )
    problems = _problems(content)
    assert any(p.startswith("Row 3, amount:") for p in problems), problems
    assert any(p.startswith("Row 4, code:") for p in problems), problems
    assert any(p.startswith("Row 5, modifiers:") for p in problems), problems
    assert any(p.startswith("Row 5, effective_from:") for p in problems), problems
    assert not ChargemasterEntry.objects.exists()


def test_rows_that_overlap_each_other_or_the_saved_chargemaster_refuse_the_file(in_org_a):
    factories.charge(code="90834", amount=Decimal("150"))
    content = HEADER + (
        "90837,,,a,200,2026-01-01\n90837,,,b,210,2026-06-01\n90834,,,c,155,2026-03-01\n"
    )
    problems = _problems(content)
    assert "Row 3, effective_from: overlaps row 2 (90837)." in problems
    assert any(p.startswith("Row 4, effective_from: Overlaps the 90834 charge") for p in problems)
    assert ChargemasterEntry.objects.count() == 1


def test_supersede_ends_the_saved_open_ended_charges_the_day_before(in_org_a):
    old = factories.charge(amount=Decimal("180"))
    content = HEADER + "90837,,,2027 price,195,2027-01-01\n90834,,,new code,150,2027-01-01\n"
    assert "effective_from" in _problems(content)[0]
    result = chargemaster_import_csv(content=content, supersede=True)
    assert (result.created, result.superseded) == (2, 1)
    old.refresh_from_db()
    assert old.effective_to == dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "Row 1 must name the columns"),
        ("code,amount\n90837,1\n", "missing revenue_code"),
        (HEADER.strip() + ",price\n", "unknown price"),
        (HEADER, "no rows"),
        (HEADER + "90837,,,a,1,2026-01-01,extra\n", "7 cells for 6 columns"),
        (b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_a_malformed_file_gets_a_clear_message(in_org_a, content, words):
    problems = _problems(content)
    assert any(words in p for p in problems), problems
    assert not ChargemasterEntry.objects.exists()
