"""The SFTP adapter against a real SFTP server on loopback (tests/claims/sftp_server.py)."""

from __future__ import annotations

import pytest

from claims.clearinghouse import (
    AuthenticationFailed,
    ConfigurationError,
    TransportError,
    adapter_for,
)
from tests import factories
from tests.claims.conftest import sftp_settings

pytestmark = pytest.mark.django_db

CONTENT = "ISA*00*          *00*          *ZZ*SUBMIT01~GS*HC~ST*837*0001~NM1*IL*1*DOE*JANE~"


def _account(server, **fields):
    fields.setdefault("password", server.password)
    settings = sftp_settings(server, **fields.pop("settings", {}))
    return factories.clearinghouse_account(adapter="sftp", settings=settings, **fields)


def test_a_batch_is_uploaded_whole_to_the_outbox(in_org_a, sftp_server, sftp_root):
    batch = factories.submission_batch(content=CONTENT)
    reference = adapter_for(_account(sftp_server)).send(batch)
    assert reference == f"outbox/{batch.file_name}"
    assert (sftp_root / "outbox" / batch.file_name).read_text() == CONTENT
    assert [p.name for p in (sftp_root / "outbox").iterdir()] == [batch.file_name]


def test_a_private_key_logs_in_without_a_password(in_org_a, sftp_server, sftp_root, client_key):
    account = _account(sftp_server, password="", private_key=client_key[1])
    adapter_for(account).send(factories.submission_batch(content=CONTENT))
    assert [how for how, _, ok in sftp_server.logins if ok] == ["publickey"]


def test_responses_are_downloaded_then_archived(in_org_a, sftp_server, sftp_root):
    inbox = sftp_root / "inbox"
    (inbox / "b.277").write_bytes(b"ISA*277~")
    (inbox / "a.999").write_bytes(b"ISA*999~")
    (inbox / "c.999.part").write_bytes(b"still uploading")
    (inbox / ".hidden").write_bytes(b"x")
    (inbox / "folder").mkdir()
    adapter = adapter_for(_account(sftp_server))
    assert adapter.fetch() == [("a.999", b"ISA*999~"), ("b.277", b"ISA*277~")]
    adapter.done(["a.999", "b.277"])
    assert sorted(p.name for p in (sftp_root / "archive").iterdir()) == ["a.999", "b.277"]
    assert sorted(p.name for p in inbox.iterdir()) == [".hidden", "c.999.part", "folder"]
    adapter.done(["a.999"])  # idempotent: already archived


def test_without_an_archive_folder_fetched_responses_are_removed(in_org_a, sftp_server, sftp_root):
    (sftp_root / "inbox" / "a.999").write_bytes(b"ISA*999~")
    adapter = adapter_for(_account(sftp_server, settings={"archive": ""}))
    names = [name for name, _ in adapter.fetch()]
    adapter.done(names)
    assert list((sftp_root / "inbox").iterdir()) == []


def test_a_refused_login_is_a_clear_error_without_secrets(in_org_a, sftp_server):
    account = _account(sftp_server, password="wrong-password-123")
    with pytest.raises(AuthenticationFailed) as caught:
        adapter_for(account).send(factories.submission_batch(content=CONTENT))
    message = str(caught.value)
    assert "refused the login of 'clinic'" in message and "127.0.0.1" in message
    assert "wrong-password-123" not in message and "DOE" not in message
    assert not caught.value.retryable


def test_a_host_key_that_does_not_match_stops_the_upload(in_org_a, sftp_server, sftp_root):
    other_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    account = _account(sftp_server, settings={"host_key": other_key})
    with pytest.raises(ConfigurationError, match="does not match"):
        adapter_for(account).send(factories.submission_batch(content=CONTENT))
    assert list((sftp_root / "outbox").iterdir()) == []


def test_strict_checking_needs_the_servers_key(in_org_a, sftp_server):
    account = _account(sftp_server, settings={"host_key": ""})
    with pytest.raises(ConfigurationError, match="no host key"):
        adapter_for(account).fetch()
    account.settings["host_key_checking"] = "off"
    assert adapter_for(account).fetch() == []


def test_a_dropped_connection_is_a_transport_error_worth_retrying(in_org_a, sftp_server, sftp_root):
    sftp_server.drop_next = 1
    adapter = adapter_for(_account(sftp_server))
    batch = factories.submission_batch(content=CONTENT)
    with pytest.raises(TransportError) as caught:
        adapter.send(batch)
    assert caught.value.retryable
    assert adapter.send(batch)  # the next attempt goes through
    assert (sftp_root / "outbox" / batch.file_name).read_text() == CONTENT


def test_a_server_that_is_down_is_a_transport_error(in_org_a, sftp_server):
    account = _account(sftp_server)
    sftp_server.stop()
    with pytest.raises(TransportError, match="SFTP upload at 127.0.0.1"):
        adapter_for(account).send(factories.submission_batch(content=CONTENT))


def test_a_missing_outbox_is_a_settings_problem_not_retried(in_org_a, sftp_server):
    account = _account(sftp_server, settings={"outbox": "nowhere"})
    with pytest.raises(ConfigurationError, match="check the folders"):
        adapter_for(account).send(factories.submission_batch(content=CONTENT))


def test_the_credentials_are_encrypted_at_rest_and_never_shown(in_org_a, sftp_server):
    from django.db import connection

    account = _account(sftp_server, private_key="-----BEGIN OPENSSH PRIVATE KEY-----x")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT password, private_key FROM claims_clearinghouseaccount WHERE id = %s",
            [account.pk],
        )
        stored = cur.fetchone()
    assert sftp_server.password not in stored[0] and "PRIVATE KEY" not in stored[1]
    assert account.credentials_summary() == {
        "password": "set",
        "private_key": "set",
        "private_key_passphrase": "not set",
    }
    assert sftp_server.password not in repr(account) + str(account)
