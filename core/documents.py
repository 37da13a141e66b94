"""Numbered documents (invoices, certificates): the number is taken in a short transaction under the year's
counter lock (core.sequences), and the PDF is rendered afterwards, once, outside any lock. Whoever needs the
file first (the issuer right after its commit, a mail task, a download) renders it; if two render at the same
moment, the first one stored wins and the other's file is removed, so a document never changes once read."""

import hashlib
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import models


def render_once(document: models.Model, render: Callable[[models.Model], bytes], *, checksum_field: str,
                file_field: str = "pdf", extension: str = "pdf") -> models.Model:
    """`document` with its file, rendering and storing it if it has none yet (with its SHA-256)."""
    if getattr(document, file_field):
        return document
    content = render(document)
    file = getattr(document, file_field)
    name = file.storage.save(file.field.generate_filename(document, f"{document.number}.{extension}"),
                             ContentFile(content))
    stored = type(document).objects.filter(pk=document.pk, **{file_field: ""}).update(
        **{file_field: name, checksum_field: hashlib.sha256(content).hexdigest()})
    if not stored:  # rendered meanwhile by someone else: theirs is the document
        file.storage.delete(name)
    document.refresh_from_db(fields=[file_field, checksum_field])
    return document
