"""Re-fold the emails stored before logins were folded with NFKC + casefold (issue 10, item 8):
the lookup compares the folded login exactly, so `CanBo@Example.test` saved by an older version
could no longer sign in. Two accounts whose emails fold to the same login cannot both keep it:
the migration then stops, naming them, and changes nothing; merge or correct them first."""

from collections import defaultdict

from django.db import migrations
from django.utils.translation import gettext as _

from accounts.models import fold_email
from core.text import search_text


def _describe(user):
    return f"#{user.pk} {user.full_name} <{user.email}>"


def _refusal(collisions):
    lines = [
        _("%(login)s: %(accounts)s") % {"login": login, "accounts": ", ".join(_describe(u) for u in users)}
        for login, users in sorted(collisions.items())
    ]
    return _(
        "Không chuẩn hóa được email đăng nhập: các tài khoản sau sẽ trùng một email. Hãy gộp hoặc sửa "
        "email của chúng rồi chạy lại migrate. Chưa có thay đổi nào.\n%(lines)s"
    ) % {"lines": "\n".join(lines)}


def refold_stored_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    by_login, changed = defaultdict(list), []
    for user in User.objects.exclude(email=None).order_by("pk"):
        folded = fold_email(user.email)
        by_login[folded or ""].append(user)
        # a blank email becomes none, unless it would leave the account with no login at all
        if folded != user.email and (folded or user.phone):
            changed.append((user, folded))
    collisions = {login: users for login, users in by_login.items() if login and len(users) > 1}
    if collisions:
        raise RuntimeError(_refusal(collisions))
    for user, folded in changed:
        user.email = folded
        user.search_text = search_text(user.full_name, user.email, user.phone)
        user.save(update_fields=["email", "search_text"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_notification_dedupe_key")]

    operations = [migrations.RunPython(refold_stored_emails, migrations.RunPython.noop)]
