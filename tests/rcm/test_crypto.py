"""PHI at rest: AES-256-GCM bound to org and column, key rotation, blind indexes."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from patients.models import Coverage, Patient
from rcm import crypto
from rcm.fields import blind_lookup
from rcm.tenancy import org_context
from tests import factories

K1 = "k1:" + base64.b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.b64encode(b"2" * 32).decode()
K1_WRONG = "k1:" + base64.b64encode(b"9" * 32).decode()


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def _set_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


def _reload(model, pk):
    return model.objects.get(pk=pk)


@pytest.mark.django_db
def test_phi_is_stored_as_ciphertext_with_a_key_id_and_read_back_as_plaintext(in_org_a):
    p = factories.patient(
        last_name="Nakamura", ssn="123-45-6789", date_of_birth=dt.date(1984, 3, 9)
    )
    stored = _raw("patients_patient", "last_name", p.pk)
    assert stored.startswith("enc1:dev1:") and "Nakamura" not in stored
    assert "123-45-6789" not in _raw("patients_patient", "ssn", p.pk)
    fresh = _reload(Patient, p.pk)
    assert (fresh.last_name, fresh.ssn, fresh.date_of_birth) == (
        "Nakamura",
        "123-45-6789",
        dt.date(1984, 3, 9),
    )


@pytest.mark.django_db
def test_a_tampered_ciphertext_fails_loudly(in_org_a):
    p = factories.patient(last_name="Okafor")
    token = _raw("patients_patient", "last_name", p.pk)
    prefix, blob = token.rsplit(":", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 0x01
    _set_raw(
        "patients_patient", "last_name", p.pk, f"{prefix}:{base64.b64encode(bytes(raw)).decode()}"
    )
    with pytest.raises(crypto.PhiDecryptError):
        _ = _reload(Patient, p.pk).last_name


@pytest.mark.django_db
def test_a_ciphertext_moved_to_another_column_or_another_orgs_row_does_not_decrypt(org_a, org_b):
    with org_context(org_a):
        a = factories.patient(first_name="Ana", last_name="Silva")
        stolen = _raw("patients_patient", "last_name", a.pk)
        _set_raw("patients_patient", "first_name", a.pk, stolen)  # same row, other column
        with pytest.raises(crypto.PhiDecryptError):
            _ = _reload(Patient, a.pk).first_name
    with org_context(org_b):
        b = factories.patient(last_name="Other")
        _set_raw("patients_patient", "last_name", b.pk, stolen)  # same column, other org
        with pytest.raises(crypto.PhiDecryptError):
            _ = _reload(Patient, b.pk).last_name


@pytest.mark.django_db
def test_rotation_new_key_encrypts_old_keys_decrypt_and_the_command_moves_rows(
    in_org_a, settings, capsys
):
    settings.RCM_ENCRYPTION_KEYS = K1
    p = factories.patient(last_name="Petrov")
    assert _raw("patients_patient", "last_name", p.pk).startswith("enc1:k1:")
    settings.RCM_ENCRYPTION_KEYS = f"{K2},{K1}"
    assert _reload(Patient, p.pk).last_name == "Petrov"  # old key still decrypts
    q = factories.patient(last_name="Quinn")
    assert _raw("patients_patient", "last_name", q.pk).startswith("enc1:k2:")  # newest encrypts

    call_command("rotate_phi_keys", "--check")
    assert "values still on older keys: 0" not in capsys.readouterr().out
    call_command("rotate_phi_keys")
    out = capsys.readouterr().out
    assert "values still on older keys: 0" in out and "k1:" in out
    assert _raw("patients_patient", "last_name", p.pk).startswith("enc1:k2:")
    settings.RCM_ENCRYPTION_KEYS = K2  # k1 retired: everything still readable
    assert _reload(Patient, p.pk).last_name == "Petrov"


@pytest.mark.django_db
def test_a_wrong_or_missing_key_raises_instead_of_returning_ciphertext(in_org_a, settings):
    settings.RCM_ENCRYPTION_KEYS = K1
    p = factories.patient(last_name="Zhou")
    settings.RCM_ENCRYPTION_KEYS = K1_WRONG
    with pytest.raises(crypto.PhiDecryptError):
        _ = _reload(Patient, p.pk).last_name
    settings.RCM_ENCRYPTION_KEYS = K2
    with pytest.raises(crypto.PhiKeyMissing):
        _ = _reload(Patient, p.pk).last_name
    settings.RCM_ENCRYPTION_KEYS = ""
    with pytest.raises(crypto.PhiKeyMissing):
        factories.patient(last_name="Nobody")


def test_a_malformed_key_ring_is_refused():
    with pytest.raises(crypto.PhiKeyMissing):
        crypto.KeyRing.parse("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(crypto.PhiKeyMissing):
        crypto.KeyRing.parse("no-separator")


@pytest.mark.django_db
def test_blind_index_finds_exact_matches_within_the_org_only(org_a, org_b):
    with org_context(org_a):
        a = factories.patient(last_name="García", ssn="123-45-6789")
        cov = factories.coverage(patient_obj=a, member_id="xyz 123-45")
    with org_context(org_b):
        factories.patient(last_name="García", ssn="123456789")
    with org_context(org_a):
        assert list(
            Patient.objects.filter(**blind_lookup(Patient, "last_name_bidx", "garcía"))
        ) == [a]
        assert Patient.objects.filter(**blind_lookup(Patient, "ssn_bidx", "123456789")).get() == a
        assert (
            Coverage.objects.filter(**blind_lookup(Coverage, "member_id_bidx", "XYZ12345")).get()
            == cov
        )
        assert not Patient.objects.filter(**blind_lookup(Patient, "ssn_bidx", "123456780")).exists()
    assert crypto.blind_index("X", org_id=org_a.pk, column="c") != crypto.blind_index(
        "X", org_id=org_b.pk, column="c"
    )


@pytest.mark.django_db
def test_an_unchanged_phi_value_is_not_re_encrypted_on_save(in_org_a):
    p = factories.patient(last_name="Stable")
    before = _raw("patients_patient", "last_name", p.pk)
    p = _reload(Patient, p.pk)
    _ = p.last_name
    p.save()
    assert _raw("patients_patient", "last_name", p.pk) == before
    p.last_name = "Changed"
    p.save()
    assert _raw("patients_patient", "last_name", p.pk) != before


@pytest.mark.django_db
def test_queryset_update_and_bulk_update_encrypt_too(in_org_a):
    p = factories.patient(phone="555-0100", email="a@example.org")
    Patient.objects.filter(pk=p.pk).update(phone="555-0199")
    assert "555-0199" not in _raw("patients_patient", "phone", p.pk)
    p = _reload(Patient, p.pk)
    assert p.phone == "555-0199"
    p.email = "b@example.org"
    Patient.objects.bulk_update([p], ["email"])
    assert _raw("patients_patient", "email", p.pk).startswith("enc1:")
    assert _reload(Patient, p.pk).email == "b@example.org"


@pytest.mark.django_db
def test_a_bulk_update_that_would_leave_a_blind_index_stale_is_refused(in_org_a):
    p = factories.patient(last_name="Before")
    with pytest.raises(TypeError, match="blind index"), transaction.atomic():
        Patient.objects.filter(pk=p.pk).update(last_name="After")
    assert _reload(Patient, p.pk).last_name == "Before"
