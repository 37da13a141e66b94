"""The private storage made unwritable for a test, as a storage gone read-only: its folder is replaced by a
file (the real storage object, no mock); reads of what is elsewhere still work."""

import shutil
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def private_storage_unwritable(settings):
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    root.mkdir(parents=True, exist_ok=True)
    kept = root.with_name(root.name + "-kept")
    shutil.rmtree(kept, ignore_errors=True)
    root.rename(kept)
    root.write_text("not a folder")
    try:
        yield
    finally:
        root.unlink()
        kept.rename(root)
