"""Where private files live (submissions, certificates, invoices): the `private` storage of STORAGES, a
directory outside MEDIA_ROOT on one machine, an S3 bucket in production. Never served by URL."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
