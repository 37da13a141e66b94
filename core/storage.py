"""Where private files live (submissions, certificates, invoices, exports): the `private` storage of STORAGES, a
folder outside MEDIA_ROOT on one machine, a private S3 bucket where several servers run (PRIVATE_STORAGE_URL).
Never served by URL: a view that checks who asks hands them out (`download`); mails and exports read them through
`read_verified` too, so a document changed in the bucket reaches nobody."""

import hashlib
import io
import logging

from django.core.files.storage import storages
from django.http import FileResponse

log = logging.getLogger(__name__)


def private_storage():
    return storages["private"]


class DocumentDamaged(OSError):
    """A stored document no longer matches the checksum taken when it was made: it is not handed out (the
    middleware answers "try again later"; the log says which file)."""


def read_verified(file, sha256: str) -> bytes:
    """A stored document's bytes, checked against the checksum kept when it was made (DocumentDamaged if not; a
    file kept without one is read as it is)."""
    with file.open("rb") as handle:
        content = handle.read()
    if sha256 and hashlib.sha256(content).hexdigest() != sha256:
        log.error("Stored file %s does not match its checksum: not handed out", file.name)
        raise DocumentDamaged(f"{file.name} does not match its checksum")
    return content


def download(file, *, filename: str, content_type: str, sha256: str = "") -> FileResponse:
    """A stored file as an attachment. With the checksum kept when it was made (invoices, certificates, hand-ins)
    the file is read whole and checked first, so a document that changed in the bucket never reaches anyone;
    without one it streams."""
    if not sha256:
        return FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    return FileResponse(io.BytesIO(read_verified(file, sha256)), as_attachment=True, filename=filename,
                        content_type=content_type)
