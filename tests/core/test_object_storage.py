"""Private files in an S3 bucket, as where several app servers run (PRIVATE_STORAGE_URL): documents are written to
the bucket, handed out only to whom they belong, and checked against the checksum kept when they were made.

The bucket is served by moto's standalone S3-compatible server on loopback (no real S3 server installs here), spoken
to over HTTP by django-storages and boto3 as they would speak to any S3 service."""

import hashlib
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import boto3
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db.models import FileField

from core.storage import private_storage
from lms.settings.base import storage_from_url
from operations.health import health_report, heartbeat
from tests.factories import UserFactory, make_certificate

REGION = "eu-central-1"


@pytest.fixture(scope="session")
def s3_endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh private bucket as the `private` storage, set up the way PRIVATE_STORAGE_URL sets it up."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    name = f"prive-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {**settings.STORAGES, "private": storage_from_url(
        f"s3://{name}/prive?endpoint_url={s3_endpoint}&region_name={REGION}", private=True)}
    # File fields took their storage when the models loaded: give the private ones the bucket.
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and getattr(field, "_storage_callable", None) is private_storage:
                monkeypatch.setattr(field, "storage", storages["private"])
    return client, name


def test_a_certificate_is_written_to_the_bucket_and_handed_to_its_holder(client, course, bucket):
    s3, name = bucket
    alumna = UserFactory(full_name="Anna de Vries")
    certificate = make_certificate(course, alumna, date(2026, 6, 1), [("noloc", "Noloc", "6", "NL-118")])
    client.force_login(alumna)

    response = client.get(f"/certificates/{certificate.number}.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    certificate.refresh_from_db()
    stored = s3.get_object(Bucket=name, Key=f"prive/{certificate.pdf.name}")["Body"].read()
    assert stored == content and hashlib.sha256(stored).hexdigest() == certificate.sha256
    client.force_login(UserFactory())
    assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 404  # nobody else's


def test_a_document_changed_in_the_bucket_is_not_handed_out(client, course, bucket):
    s3, name = bucket
    alumna = UserFactory()
    certificate = make_certificate(course, alumna, date(2026, 6, 1), [])
    client.force_login(alumna)
    assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 200
    certificate.refresh_from_db()
    s3.put_object(Bucket=name, Key=f"prive/{certificate.pdf.name}", Body=b"%PDF-1.4 something else")

    response = client.get(f"/certificates/{certificate.number}.pdf")

    assert response.status_code == 503 and b"something else" not in response.content


def test_the_health_check_writes_to_the_bucket(db, bucket):
    for process in ("scheduler", "worker"):
        heartbeat(process)
    assert health_report()["private_storage"] == "ok"


def test_a_private_file_is_never_public(bucket):
    s3, name = bucket
    stored = storages["private"].save("proef/geheim.txt", ContentFile(b"geheim"))
    url = storages["private"].url(stored)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url  # a signed address, valid for a minute
    grants = s3.get_object_acl(Bucket=name, Key=f"prive/{stored}")["Grants"]
    assert not any(grant["Grantee"].get("URI", "").endswith("AllUsers") for grant in grants)


def test_a_storage_url_that_is_not_s3_fails_at_start():
    with pytest.raises(ValueError, match="s3://bucket"):
        storage_from_url("/var/lib/spoor2/prive", private=True)
