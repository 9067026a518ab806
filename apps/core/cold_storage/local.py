"""Cold storage in a local folder (the default): `ARCHIVE_DIR`, `var/archive/` unless set."""

import os
import shutil
from pathlib import Path

from apps.core.cold_storage import ColdStorageError


class LocalColdStorage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def location(self, key: str) -> str:
        return str(self._path(key))

    def put(self, local_path: Path, key: str, *, progress: bool = False) -> str:
        target = self._path(key)
        partial = target.with_name(target.name + ".partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(local_path, partial)
            with open(partial, "rb") as stored:
                os.fsync(stored.fileno())
            # Whole or not at all: a reader never sees half a file under the final name.
            os.replace(partial, target)
        except OSError as error:
            raise ColdStorageError(f"could not store {key} in {self.root}: {error}") from error
        if target.stat().st_size != Path(local_path).stat().st_size:
            raise ColdStorageError(f"{target} does not have the size of the file stored there")
        return str(target)

    def fetch(self, key: str, local_path: Path, *, progress: bool = False) -> None:
        try:
            shutil.copyfile(self._path(key), local_path)
        except OSError as error:
            raise ColdStorageError(f"could not read {key} from {self.root}: {error}") from error

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ColdStorageError(f"key {key!r} leads outside {self.root}")
        return path
