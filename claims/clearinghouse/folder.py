"""The folder adapter, for clinics that upload 837s through their clearinghouse's web portal
and download the responses by hand: outgoing files are written to `export_dir`, responses are
read from `import_dir`, and each imported response is moved to `archive_dir` (default: an
`archive` folder inside `import_dir`).

Files appear whole: each is written under a hidden temporary name in the same folder, then
renamed, so a sync client or a person never picks up half a file. Hidden files and `*.part`
files in the import folder are left alone (another program is still writing them)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from claims.clearinghouse.base import Adapter, ConfigurationError, TransportError, register


def _is_waiting(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and not path.name.endswith(".part")


@register
class FolderAdapter(Adapter):
    name = "folder"

    @classmethod
    def for_directory(cls, export_dir: str | os.PathLike[str]) -> FolderAdapter:
        """An adapter that only writes to `export_dir` (`manage.py build_837 --out DIR`)."""
        return cls(None, {"export_dir": str(export_dir)})

    def _folder(self, key: str, *, create: bool = False) -> Path:
        raw = self.setting(key, required=True)
        path = Path(str(raw)).expanduser()
        if create:
            path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise ConfigurationError(f"The {key.replace('_', ' ')} {path} is not a folder.")
        return path

    def _archive(self) -> Path:
        raw = self.setting("archive_dir")
        path = Path(str(raw)).expanduser() if raw else self._folder("import_dir") / "archive"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def send(self, batch: Any) -> str:
        target = self._folder("export_dir") / batch.file_name
        try:
            _write_whole(target, batch.content.encode("utf-8"))
        except OSError as exc:
            raise TransportError(
                f"Writing {batch.file_name} to {target.parent} failed: {exc.strerror or exc}"
            ) from exc
        return str(target)

    def fetch(self) -> list[tuple[str, bytes]]:
        folder = self._folder("import_dir")
        try:
            return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if _is_waiting(p)]
        except OSError as exc:
            raise TransportError(f"Reading {folder} failed: {exc.strerror or exc}") from exc

    def done(self, names: Sequence[str]) -> None:
        folder, archive = self._folder("import_dir"), self._archive()
        for name in names:
            source = folder / Path(name).name
            if source.is_file():
                os.replace(source, _free_name(archive, source.name))


def _write_whole(target: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, or `name.1`, `name.2`... when a file of that name was archived."""
    candidate, n = folder / name, 0
    while candidate.exists():
        n += 1
        candidate = folder / f"{name}.{n}"
    return candidate
