"""Checks for uploaded files: the type is read from the content (magic bytes), never trusted from
the name or the browser; the size is bounded by settings.MAX_UPLOAD_SIZE; files are stored under a
random name that keeps only a known extension."""

import io
import secrets
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# extension -> detected kind
EXTENSIONS = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "docx": "ooxml",
    "xlsx": "ooxml",
    "pptx": "ooxml",
    "doc": "ole",
    "xls": "ole",
    "ppt": "ole",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
EXECUTABLE_MAGICS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce")


def sniff(head, file_obj=None):
    """The kind of a file from its first bytes: pdf, jpeg, png, ooxml, ole, executable or None."""
    if head.startswith(EXECUTABLE_MAGICS):
        return "executable"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"PK\x03\x04") and file_obj is not None:
        try:
            with zipfile.ZipFile(file_obj) as archive:
                if "[Content_Types].xml" in archive.namelist():
                    return "ooxml"
        except zipfile.BadZipFile:
            return None
        finally:
            file_obj.seek(0)
    return None


def _extension(name):
    return PurePath(name or "").suffix.lower().lstrip(".")


def check_upload(uploaded, *, allowed=None, max_size=None):
    """Refuse a file whose content does not match its extension, an executable under any name, a
    type outside `allowed` (extensions) or a file over the size limit. Returns
    (extension, content_type)."""
    max_size = max_size or settings.MAX_UPLOAD_SIZE
    allowed = set(allowed or EXTENSIONS)
    if uploaded is None or not uploaded.size:
        raise ValidationError(_("Tệp trống hoặc chưa chọn tệp."), code="empty")
    if uploaded.size > max_size:
        raise ValidationError(
            _("Tệp quá lớn: tối đa %(limit)s MB.") % {"limit": max_size // (1024 * 1024)}, code="too_large"
        )
    extension = _extension(uploaded.name)
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    data = None
    if head.startswith(b"PK\x03\x04"):
        data = io.BytesIO(uploaded.read())
        uploaded.seek(0)
    kind = sniff(head, data)
    if kind == "executable":
        raise ValidationError(
            _("Tệp “%(name)s” là chương trình chạy được, không phải tài liệu: không được tải lên.")
            % {"name": uploaded.name},
            code="executable",
        )
    if extension not in EXTENSIONS or extension not in allowed:
        names = ", ".join(sorted(e.upper() for e in allowed))
        raise ValidationError(
            _("Loại tệp “.%(ext)s” không được chấp nhận. Chỉ nhận: %(names)s.")
            % {"ext": extension, "names": names},
            code="extension",
        )
    if kind != EXTENSIONS[extension]:
        raise ValidationError(
            _("Nội dung tệp “%(name)s” không đúng với phần mở rộng .%(ext)s (tệp bị đổi tên hoặc hỏng).")
            % {"name": uploaded.name, "ext": extension},
            code="mismatch",
        )
    return extension, CONTENT_TYPES[extension]


def safe_storage_name(original_name):
    """A random name that keeps only the (already checked) extension: nothing of the user's name
    reaches the disk, so no path tricks and no guessable URLs."""
    extension = _extension(original_name)
    suffix = f".{extension}" if extension in EXTENSIONS else ""
    return f"{secrets.token_hex(16)}{suffix}"
