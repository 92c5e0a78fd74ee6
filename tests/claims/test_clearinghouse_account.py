"""Setting up the clearinghouse account: the save service's checks (each bad value is a field
error and nothing is saved), secrets kept on blank and never shown, the page (view for billers,
edit for admins and billing managers, the connection test against the loopback SFTP server and
a folder) and the API round trip."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from claims.clearinghouse.services import (
    clearinghouse_account_save,
    clearinghouse_connection_test,
)
from claims.models import ClearinghouseAccount
from rcm.models import ChangeLog
from rcm.tenancy import org_context
from tests import factories
from tests.claims.conftest import sftp_settings

PASSWORD = "s3cret-Pa55-word"
API = "/api/o/clinic-a/clearinghouse-account/"


def _page(org: Any, path: str = "") -> str:
    return f"/o/{org.slug}/claims/clearinghouse/{path}"


def base(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "adapter": "sandbox",
        "submitter_name": "Test Clinic",
        "submitter_id": "SUBMIT01",
        "contact_name": "Billing Office",
        "contact_phone": "503-555-0100",
        "receiver_name": "Acme Clearinghouse",
        "receiver_id": "ACMECH",
        "isa_sender_qualifier": "ZZ",
        "isa_sender_id": "SUBMIT01",
        "isa_receiver_qualifier": "ZZ",
        "isa_receiver_id": "ACMECH",
        "usage_indicator": "T",
    }
    values.update(overrides)
    return values


def sftp_values(server: Any, **overrides: Any) -> dict[str, Any]:
    s = sftp_settings(server)
    values = {
        "adapter": "sftp",
        "host": s["host"],
        "port": str(s["port"]),
        "username": s["username"],
        "outbox": "outbox",
        "inbox": "inbox",
        "archive": "archive",
        "host_key": s["host_key"],
        "password": server.password,
    }
    return base(**{**values, **overrides})


def folder_values(tmp_path: Any, **overrides: Any) -> dict[str, Any]:
    (tmp_path / "out").mkdir(exist_ok=True)
    (tmp_path / "in").mkdir(exist_ok=True)
    values = {
        "adapter": "folder",
        "export_dir": str(tmp_path / "out"),
        "import_dir": str(tmp_path / "in"),
    }
    return base(**{**values, **overrides})


def _errors(values: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        clearinghouse_account_save(values=values, actor=None)
    return caught.value.message_dict


# --- The service -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sandbox_account_is_created_then_updated_in_place(in_org_a):
    account = clearinghouse_account_save(values=base(), actor=None)
    assert (account.adapter, account.contact_phone, account.isa_sender_id) == (
        "sandbox",
        "5035550100",
        "SUBMIT01",
    )
    again = clearinghouse_account_save(values=base(usage_indicator="P"), actor=None)
    assert again.pk == account.pk and ClearinghouseAccount.objects.count() == 1
    assert ClearinghouseAccount.objects.get().usage_indicator == "P"
    ops = list(
        ChangeLog.objects.filter(table_name="claims_clearinghouseaccount", row_id=account.pk)
        .order_by("id")
        .values_list("op", flat=True)
    )
    assert ops == ["INSERT", "UPDATE"]


BAD_VALUES = [
    ({"adapter": "fax"}, "adapter"),
    ({"submitter_name": ""}, "submitter_name"),
    ({"submitter_id": ""}, "submitter_id"),
    ({"submitter_id": "A*B"}, "submitter_id"),
    ({"receiver_name": "  "}, "receiver_name"),
    ({"receiver_id": ""}, "receiver_id"),
    ({"isa_sender_id": "X" * 16}, "isa_sender_id"),
    ({"isa_sender_id": ""}, "isa_sender_id"),
    ({"isa_receiver_id": "R" * 16}, "isa_receiver_id"),
    ({"isa_receiver_id": "AB~CD"}, "isa_receiver_id"),
    ({"isa_sender_qualifier": "99"}, "isa_sender_qualifier"),
    ({"isa_receiver_qualifier": "Q"}, "isa_receiver_qualifier"),
    ({"usage_indicator": "X"}, "usage_indicator"),
    ({"contact_phone": "call me"}, "contact_phone"),
    ({"contact_email": "nobody"}, "contact_email"),
    ({"colour": "blue"}, "colour"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field"), BAD_VALUES)
def test_each_bad_value_is_a_field_error_and_nothing_is_saved(in_org_a, change, field):
    assert field in _errors(base(**change))
    assert ClearinghouseAccount.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"host": ""}, "host"),
        ({"port": "0"}, "port"),
        ({"port": "65536"}, "port"),
        ({"port": "ssh"}, "port"),
        ({"username": ""}, "username"),
        ({"outbox": ""}, "outbox"),
        ({"inbox": ""}, "inbox"),
        ({"password": ""}, "password"),
        ({"host_key": ""}, "host_key"),
        ({"host_key": "not a key"}, "host_key"),
        ({"host_key_checking": "sometimes"}, "host_key_checking"),
        ({"private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n"}, "private_key"),
    ],
)
def test_sftp_needs_its_settings(in_org_a, sftp_server, change, field):
    assert field in _errors(sftp_values(sftp_server, **change))
    assert ClearinghouseAccount.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"export_dir": ""}, "export_dir"),
        ({"import_dir": ""}, "import_dir"),
        ({"export_dir": "relative/out"}, "export_dir"),
        ({"archive_dir": "archive"}, "archive_dir"),
    ],
)
def test_the_folder_adapter_needs_absolute_folders(in_org_a, tmp_path, change, field):
    assert field in _errors(folder_values(tmp_path, **change))
    assert ClearinghouseAccount.objects.count() == 0


@pytest.mark.django_db
def test_a_blank_secret_keeps_the_stored_one_and_a_key_is_accepted(
    in_org_a, sftp_server, client_key
):
    clearinghouse_account_save(values=sftp_values(sftp_server), actor=None)
    kept = clearinghouse_account_save(
        values=sftp_values(sftp_server, password="", host="localhost"), actor=None
    )
    assert (kept.password, kept.settings["host"]) == (sftp_server.password, "localhost")
    keyed = clearinghouse_account_save(
        values=sftp_values(sftp_server, password="", private_key=client_key[1]), actor=None
    )
    assert keyed.private_key == client_key[1] and keyed.password == sftp_server.password
    assert keyed.credentials_summary() == {
        "password": "set",
        "private_key": "set",
        "private_key_passphrase": "not set",
    }
    # Leaving SFTP erases its secrets.
    sandbox = clearinghouse_account_save(values=base(), actor=None)
    assert (sandbox.password, sandbox.private_key) == ("", "")


@pytest.mark.django_db
def test_secrets_are_never_logged(in_org_a, sftp_server, caplog):
    with caplog.at_level(logging.DEBUG):
        clearinghouse_account_save(values=sftp_values(sftp_server), actor=None)
    assert PASSWORD not in caplog.text and sftp_server.password not in caplog.text


# --- The connection test ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_connection_test_lists_the_sftp_folders(in_org_a, sftp_server, sftp_root):
    (sftp_root / "inbox" / "a.999").write_bytes(b"ISA~")
    account = clearinghouse_account_save(values=sftp_values(sftp_server), actor=None)
    ok, message = clearinghouse_connection_test(account=account)
    assert ok, message
    assert "inbox inbox: 1 file(s)" in message and sftp_server.password not in message


@pytest.mark.django_db
def test_the_connection_test_reports_a_refused_login_without_the_secret(in_org_a, sftp_server):
    account = clearinghouse_account_save(
        values=sftp_values(sftp_server, password="wrong-password-123"), actor=None
    )
    ok, message = clearinghouse_connection_test(account=account)
    assert not ok and "refused" in message and "wrong-password-123" not in message


@pytest.mark.django_db
def test_the_connection_test_reports_a_missing_remote_folder(in_org_a, sftp_server):
    account = clearinghouse_account_save(
        values=sftp_values(sftp_server, inbox="nowhere"), actor=None
    )
    ok, message = clearinghouse_connection_test(account=account)
    assert not ok and "nowhere" in message


@pytest.mark.django_db
def test_the_connection_test_checks_the_folders(in_org_a, tmp_path):
    account = clearinghouse_account_save(values=folder_values(tmp_path), actor=None)
    ok, message = clearinghouse_connection_test(account=account)
    assert ok and str(tmp_path / "in") in message
    (tmp_path / "in").rmdir()
    ok, message = clearinghouse_connection_test(account=account)
    assert not ok and "import folder" in message


# --- The page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_billing_manager_sets_up_sftp_on_the_page_and_tests_it(client, org_a, sftp_server):
    client.force_login(factories.member(org_a, role="billing_manager"))
    empty = client.get(_page(org_a))
    assert empty.status_code == 200 and b'data-testid="no-account"' in empty.content
    answer = client.post(_page(org_a), sftp_values(sftp_server, host_key_checking="strict"))
    assert answer.status_code == 302
    html = client.get(_page(org_a)).content.decode()
    assert sftp_server.password not in html
    assert 'data-testid="secret-password">set<' in html
    assert "Now set. Blank keeps it." in html
    tested = client.post(_page(org_a, "test/"))
    assert tested.status_code == 200
    text = tested.content.decode()
    assert "Connection test passed." in text and sftp_server.password not in text
    with org_context(org_a):
        assert ClearinghouseAccount.objects.get().password == sftp_server.password


@pytest.mark.django_db
def test_bad_values_on_the_page_answer_400_with_field_errors(client, org_a):
    client.force_login(factories.member(org_a, role="admin"))
    answer = client.post(_page(org_a), base(isa_sender_id="X" * 16, usage_indicator="P"))
    assert answer.status_code == 400
    assert answer.context["form"].errors["isa_sender_id"]
    with org_context(org_a):
        assert ClearinghouseAccount.objects.count() == 0


@pytest.mark.django_db
def test_a_biller_sees_the_account_without_secrets_and_cannot_edit(client, org_a, tmp_path):
    with org_context(org_a):
        factories.clearinghouse_account(
            adapter="sftp", password=PASSWORD, settings={"host": "sftp.example.test"}
        )
    client.force_login(factories.member(org_a, role="biller"))
    page = client.get(_page(org_a))
    html = page.content.decode()
    assert page.status_code == 200 and "sftp.example.test" in html
    assert PASSWORD not in html and 'data-testid="secret-password"' not in html
    assert 'data-testid="clearinghouse-form"' not in html
    assert 'data-testid="connection-test-form"' not in html
    assert client.post(_page(org_a), folder_values(tmp_path)).status_code == 403
    assert client.post(_page(org_a, "test/")).status_code == 403
    with org_context(org_a):
        assert ClearinghouseAccount.objects.get().adapter == "sftp"
    assert b'data-testid="clearinghouse-link"' in client.get(f"/o/{org_a.slug}/claims/").content


@pytest.mark.django_db
def test_roles_without_claims_get_403(client, org_a):
    client.force_login(factories.member(org_a, role="clinician"))
    assert client.get(_page(org_a)).status_code == 403


# --- The API ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_round_trip_keeps_secrets_write_only(client, org_a, tmp_path):
    client.force_login(factories.member(org_a, role="billing_manager"))
    assert client.get(API).status_code == 404
    values = folder_values(tmp_path)
    created = client.put(API, values, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["export_dir"] == values["export_dir"]
    sftp = base(
        adapter="sftp",
        host="sftp.example.test",
        port=2222,
        username="clinic",
        outbox="/out",
        inbox="/in",
        host_key_checking="off",
        password=PASSWORD,
    )
    updated = client.put(API, sftp, content_type="application/json")
    assert updated.status_code == 200, updated.json()
    body = updated.json()
    assert body["port"] == "2222" and body["credentials"]["password"] == "set"
    assert "password" not in body and PASSWORD not in updated.content.decode()
    again = client.put(API, {**sftp, "password": ""}, content_type="application/json")
    assert again.status_code == 200
    with org_context(org_a):
        assert ClearinghouseAccount.objects.get().password == PASSWORD
    assert PASSWORD not in client.get(API).content.decode()


@pytest.mark.django_db
def test_the_api_answers_400_with_field_messages_and_saves_nothing(client, org_a):
    client.force_login(factories.member(org_a, role="admin"))
    answer = client.put(
        API, base(isa_receiver_qualifier="99", adapter="sftp"), content_type="application/json"
    )
    assert answer.status_code == 400
    assert {"isa_receiver_qualifier", "host", "password"} <= set(answer.json())
    with org_context(org_a):
        assert ClearinghouseAccount.objects.count() == 0


@pytest.mark.django_db
def test_a_biller_reads_the_api_without_secrets_and_cannot_put(client, org_a):
    with org_context(org_a):
        factories.clearinghouse_account(adapter="sftp", password=PASSWORD)
    client.force_login(factories.member(org_a, role="biller"))
    read = client.get(API)
    assert read.status_code == 200 and "credentials" not in read.json()
    assert PASSWORD not in read.content.decode()
    assert client.put(API, base(), content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_the_schema_documents_the_clearinghouse_account(client, org_a):
    client.force_login(factories.member(org_a))
    schema = client.get("/api/schema/", {"format": "json"}).json()
    path = schema["paths"]["/api/o/{org_slug}/clearinghouse-account/"]
    assert {"200", "403", "404"} <= set(path["get"]["responses"])
    assert {"200", "400", "403"} <= set(path["put"]["responses"])
    ref = path["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert component["properties"]["password"].get("writeOnly") is True
