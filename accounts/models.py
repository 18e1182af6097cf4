import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import clean_text, search_text
from core.validators import normalize_phone, validate_phone


def fold_login(login):
    """The one form of a login (email or phone as typed) that the lookup, the stored email and the
    sign-in throttle's key all use: NFKC then casefold. Python's lower() and the database's UPPER()
    disagree on letters such as the long s: `ſotaichinh@…` lowers to itself but PostgreSQL's
    UPPER() makes it SOTAICHINH@…, so a key built with lower() let it in while the real login
    was locked. Folded, both spellings are one login, counted and locked together."""
    return unicodedata.normalize("NFKC", login or "").strip().casefold()


def fold_email(email):
    """A stored email: folded whole (so two spellings that fold alike cannot be two accounts)."""
    return fold_login(email) or None


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, phone, password, **extra):
        email = fold_email(email)
        phone = normalize_phone(phone) or None
        if not email and not phone:
            raise ValueError("A user needs an email or a phone number.")
        user = self.model(email=email, phone=phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, *, phone=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, phone, password, **extra)

    def create_superuser(self, email=None, password=None, *, phone=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, phone, password, **extra)

    def get_by_natural_key(self, username):
        return self.get_by_login(username)

    def get_by_login(self, login):
        """Find the account a login names: an email (folded, compared exactly: never the database's
        own case-insensitive match) or a phone number in any format."""
        login = fold_login(login)
        if "@" in login:
            return self.get(email=login)
        return self.get(phone=normalize_phone(login))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in, by email or by phone number (many commune officials and household
    businesses have no email). `is_staff` only opens the Django admin; portal roles are Groups."""

    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("số điện thoại"), max_length=15, unique=True, null=True, blank=True, validators=[validate_phone]
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(_("vào trang quản trị"), default=False)
    must_change_password = models.BooleanField(_("phải đổi mật khẩu khi đăng nhập"), default=False)
    date_joined = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    # Folded name, email and phone: staff search users ignoring case and diacritics.
    search_text = models.TextField(editable=False, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
                violation_error_message=_("Cần có email hoặc số điện thoại để đăng nhập."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or self.phone or str(self.pk)

    def clean(self):
        super().clean()
        self.full_name = clean_text(self.full_name)
        self.email = fold_email(self.email)
        self.phone = normalize_phone(self.phone) or None

    def save(self, *args, **kwargs):
        self.search_text = search_text(self.full_name, self.email, self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "email", "phone"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def login_name(self):
        return self.email or self.phone

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[-1] if self.full_name else self.login_name


class Notification(models.Model):
    """An in-app message to one user (the bell). Written only through `notifications.notify()`."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("sự kiện"), max_length=40)
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("thời gian"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    # What makes this message unique for its recipient (event + notify()'s `dedupe`), or "" for a
    # one-off: a reminder job that runs twice leaves one message in the bell, not two.
    dedupe_key = models.CharField(max_length=255, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self):
        return self.title
