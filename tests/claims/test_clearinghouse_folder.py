"""The folder adapter: 837s written to an export folder, responses read from an import folder
and moved to its archive once imported."""

from __future__ import annotations

import pytest

from claims.clearinghouse import ConfigurationError, adapter_for
from claims.clearinghouse.folder import FolderAdapter
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def folders(tmp_path):
    out, inbox = tmp_path / "to-portal", tmp_path / "from-portal"
    out.mkdir()
    inbox.mkdir()
    return out, inbox


def _adapter(folders, **settings):
    out, inbox = folders
    account = factories.clearinghouse_account(
        adapter="folder", settings={"export_dir": str(out), "import_dir": str(inbox), **settings}
    )
    return adapter_for(account)


def test_an_837_is_written_whole_to_the_export_folder(in_org_a, folders):
    batch = factories.submission_batch(content="ISA*00*~GS*HC~")
    reference = _adapter(folders).send(batch)
    out = folders[0]
    assert reference == str(out / batch.file_name)
    assert [p.name for p in out.iterdir()] == [batch.file_name]  # no temporary file left
    assert (out / batch.file_name).read_text() == "ISA*00*~GS*HC~"


def test_responses_are_read_then_moved_to_the_archive(in_org_a, folders):
    inbox = folders[1]
    (inbox / "b.277").write_bytes(b"ISA*277~")
    (inbox / "a.999").write_bytes(b"ISA*999~")
    (inbox / "c.999.part").write_bytes(b"partial")
    (inbox / ".DS_Store").write_bytes(b"x")
    adapter = _adapter(folders)
    assert adapter.fetch() == [("a.999", b"ISA*999~"), ("b.277", b"ISA*277~")]
    adapter.done(["a.999", "b.277"])
    assert sorted(p.name for p in (inbox / "archive").iterdir()) == ["a.999", "b.277"]
    assert adapter.fetch() == []
    (inbox / "a.999").write_bytes(b"ISA*999 again~")  # a new file under an archived name
    adapter.done(["a.999"])
    assert (inbox / "archive" / "a.999.1").read_bytes() == b"ISA*999 again~"


def test_an_archive_folder_can_be_named(in_org_a, folders, tmp_path):
    (folders[1] / "a.999").write_bytes(b"ISA~")
    adapter = _adapter(folders, archive_dir=str(tmp_path / "done"))
    adapter.done([name for name, _ in adapter.fetch()])
    assert (tmp_path / "done" / "a.999").exists()


def test_a_missing_export_folder_is_a_settings_problem(in_org_a, folders, tmp_path):
    adapter = _adapter(folders, export_dir=str(tmp_path / "nope"))
    with pytest.raises(ConfigurationError, match="is not a folder"):
        adapter.send(factories.submission_batch())


def test_an_adapter_for_a_directory_needs_no_account(tmp_path, in_org_a):
    batch = factories.submission_batch(content="ISA~")
    FolderAdapter.for_directory(tmp_path).send(batch)
    assert (tmp_path / batch.file_name).read_text() == "ISA~"
