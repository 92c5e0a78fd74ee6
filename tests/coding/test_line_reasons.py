"""Each line carries the reasons that explain it; the flat list of reasons stays as it was."""

from coding import Attendance, ServiceFacts, ServiceLine, code_service
from coding.explain import names


def facts(kind: str = "individual", **kw) -> ServiceFacts:
    kw.setdefault("rendering_license", "psychiatrist")
    kw.setdefault("facility_pos", "11")
    return ServiceFacts(kind=kind, **kw)


def test_an_add_on_line_gives_its_own_reason_and_not_the_em_lines():
    result = code_service(facts("em_with_psychotherapy", em_code="99214", minutes=30))
    em, addon = result.lines
    assert "E/M 99214 billed by the same provider on the same day" in em.reasons
    assert "E/M 99214 billed by the same provider on the same day" not in addon.reasons
    assert any("90833" in r for r in addon.reasons)
    assert any(r.startswith("in person: facility POS 11") for r in em.reasons)
    assert any(r.startswith("in person: facility POS 11") for r in addon.reasons)


def test_every_reason_of_a_one_line_service_explains_that_line():
    result = code_service(facts(minutes=53))
    assert result.lines[0].reasons == result.reasons


def test_each_attendees_line_gives_that_attendees_minutes_only():
    attendees = tuple(Attendance(f"attendee {n}", m) for n, m in ((1, 50), (2, 0), (10, 30)))
    result = code_service(facts("group", attendees=attendees))
    first, tenth = result.lines
    assert (first.patient_ref, tenth.patient_ref) == ("attendee 1", "attendee 10")
    assert any(r.startswith("attendee 1 attended 50 min") for r in first.reasons)
    assert not any("attendee 10" in r or "attendee 2" in r for r in first.reasons)
    assert any(r.startswith("attendee 10 attended 30 min") for r in tenth.reasons)


def test_line_reasons_do_not_change_what_a_line_is():
    line = code_service(facts(minutes=45)).lines[0]
    assert line.reasons and line == ServiceLine("90834", 1, (), "11", "rendering")


def test_a_code_is_named_only_as_a_whole_word():
    assert names("45 min → 90834", "90834")
    assert not names("code 908345", "90834") and not names("attendee 10: x", "attendee 1")
