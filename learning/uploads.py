"""What a participant hands in: a text, or a file (PDF, DOCX or ODT, recognised by what is inside it, not by
its name), within the upload size limit."""

import zipfile

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


class UploadError(ValueError):
    pass


def max_upload_bytes() -> int:
    return settings.ASSIGNMENT_MAX_UPLOAD_MB * 1024 * 1024


def file_kind(upload) -> str:
    """'pdf', 'docx' or 'odt' when the content is one of those; UploadError otherwise."""
    if upload.size > max_upload_bytes():
        raise UploadError(_("The file is larger than %(max)s MB.") % {"max": settings.ASSIGNMENT_MAX_UPLOAD_MB})
    if upload.size == 0:
        raise UploadError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        kind = _office_kind(upload)
    upload.seek(0)
    if kind is None:
        raise UploadError(_("This file is not a PDF, Word (DOCX) or OpenDocument (ODT) document."))
    return kind


MAX_ARCHIVE_ENTRIES = 10_000  # a real DOCX or ODT has tens to a few hundred
MIMETYPE_MAX_BYTES = 100  # the ODT's `mimetype` entry is its 39-byte name


def _office_kind(upload) -> str | None:
    """DOCX or ODT by what the archive's directory says, reading at most MIMETYPE_MAX_BYTES of one entry: a
    small archive can inflate to gigabytes (a zip bomb), so no entry is read whole and sizes come from the
    directory before anything is inflated."""
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ARCHIVE_ENTRIES:
                return None
            names = {entry.filename: entry for entry in entries}
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            mimetype = names.get("mimetype")
            if mimetype is None or mimetype.file_size > MIMETYPE_MAX_BYTES:
                return None
            with archive.open(mimetype) as entry:
                declared = entry.read(MIMETYPE_MAX_BYTES + 1)  # bounded, whatever the directory claims
            if declared.strip() == CONTENT_TYPES["odt"].encode():
                return "odt"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError, NotImplementedError):
        return None
    return None


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit, so a huge file is never stored anywhere;
    the view sees `request.upload_too_large` and shows a message."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class TextSubmissionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Your answer"), widget=forms.Textarea(attrs={"rows": 10}),
                           max_length=20_000)


class FileSubmissionForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Your document (PDF, DOCX or ODT)"))
