import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from core.uploads import check_upload, safe_storage_name, sniff


def _ooxml():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    return buffer.getvalue()


def _plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    return buffer.getvalue()


FILES = {
    "pdf": b"%PDF-1.7\n...",
    "jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 20,
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
    "docx": _ooxml(),
    "xlsx": _ooxml(),
    "doc": bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 20,
    "xls": bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 20,
}


@pytest.mark.parametrize(("extension", "content"), FILES.items())
def test_accepted_types_are_recognised_by_content(extension, content):
    ext, content_type = check_upload(SimpleUploadedFile(f"Tài liệu.{extension.upper()}", content))
    assert ext == extension and content_type


@pytest.mark.parametrize("header", [b"MZ\x90\x00", b"\x7fELF\x02\x01", b"#!/bin/sh\n"])
def test_a_renamed_executable_is_refused(header):
    with pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile("bien-ban.pdf", header + b"\x00" * 64))
    assert info.value.code == "executable"
    assert "chương trình chạy được" in info.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("anh.png", FILES["pdf"], "mismatch"),
        ("hop-dong.docx", _plain_zip(), "mismatch"),
        ("hop-dong.pdf", FILES["docx"], "mismatch"),
        ("virus.exe", b"MZ" + b"\x00" * 10, "executable"),
        ("ghi-chu.txt", b"hello", "extension"),
        ("khong-duoi", FILES["pdf"], "extension"),
        ("rong.pdf", b"", "empty"),
    ],
)
def test_mismatches_and_unknown_types_are_refused(name, content, code):
    with pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile(name, content))
    assert info.value.code == code


@override_settings(MAX_UPLOAD_SIZE=1024)
def test_size_limit():
    with pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile("lon.pdf", b"%PDF-" + b"0" * 2000))
    assert info.value.code == "too_large"


def test_allowed_restricts_types():
    with pytest.raises(ValidationError, match="Chỉ nhận: JPEG, JPG, PNG"):
        check_upload(SimpleUploadedFile("a.pdf", FILES["pdf"]), allowed={"jpg", "jpeg", "png"})


def test_storage_names_are_random_and_keep_only_a_known_extension():
    a, b = safe_storage_name("../../etc/passwd.PDF"), safe_storage_name("../../etc/passwd.PDF")
    assert a != b and a.endswith(".pdf") and "/" not in a and ".." not in a
    assert "." not in safe_storage_name("script.sh")


def test_sniff_without_zip_body():
    assert sniff(b"PK\x03\x04") is None
