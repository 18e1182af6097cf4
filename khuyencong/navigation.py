"""The portal's menu: each entry names the roles that may use it. A role sees only its entries.
Related entries fold into one drop-down (GROUPS) where a role sees more than one of them: a Sở
officer's menu is seven items on one line instead of thirteen on three; a role that sees one entry
of a group gets it as a plain link."""

import functools

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, user_roles

ALL = frozenset(Role.values)
STAFF = frozenset({Role.STAFF, Role.LEADER})

# (label, url name, roles that see it). Entries whose URL does not exist yet are left out.
MENU = [
    (_("Trang làm việc"), "accounts:dashboard", ALL),
    # applicants
    (_("Hồ sơ cơ sở"), "applicants:my_profile", frozenset({Role.APPLICANT})),
    (_("Đề nghị hỗ trợ"), "applicants:my_requests", frozenset({Role.APPLICANT})),
    (_("Cơ sở"), "applicants:list", STAFF | {Role.UNIT_REPORTER}),
    (_("Xác minh hồ sơ"), "applicants:verification_queue", STAFF),
    (_("Đề nghị hỗ trợ"), "applicants:request_list", STAFF),
    # projects
    (_("Đề án"), "projects:list", STAFF | {Role.UNIT_REPORTER, Role.OBSERVER}),
    (_("Đề án của tôi"), "projects:mine", frozenset({Role.APPLICANT})),
    # programmes: what the selection-rounds target counts
    (_("Kỳ bình chọn sản phẩm"), "programmes:selection_rounds", STAFF),
    (_("Cộng tác viên khuyến công"), "programmes:collaborators", STAFF | {Role.OBSERVER}),
    (_("Kế hoạch khuyến công"), "programmes:plan_list", STAFF),
    # reports
    (_("Tổng quan chương trình"), "reports:dashboard", STAFF | {Role.OBSERVER}),
    (_("Báo cáo của đơn vị"), "reports:unit_reports", frozenset({Role.UNIT_REPORTER})),
    (_("Báo cáo của xã, đơn vị"), "reports:periods", STAFF),
    (_("Báo cáo năm"), "reports:generated", STAFF | {Role.OBSERVER}),
    # accounts
    (_("Tài khoản người dùng"), "accounts:user_list", STAFF),
    (_("Thông báo"), "accounts:notifications", ALL),
]


# (label, the entries it folds, by url name); a group stands where its first visible entry would.
GROUPS = [
    (_("Cơ sở"), ("applicants:list", "applicants:verification_queue", "applicants:request_list")),
    (
        _("Chương trình"),
        (
            "programmes:plan_list",
            "reports:dashboard",
            "programmes:selection_rounds",
            "programmes:collaborators",
        ),
    ),
    (_("Báo cáo"), ("reports:periods", "reports:generated")),
]
GROUP_OF = {name: index for index, (_label, names) in enumerate(GROUPS) for name in names}


@functools.cache
def _entries(roles, _prefix):
    # The same for every user with these roles (the labels are translated when shown): built once
    # per process instead of reversing seventeen URLs on every page (issue 14); read-only.
    items = []
    for label, url_name, allowed in MENU:
        if not roles & allowed:
            continue
        try:
            items.append({"label": label, "url": reverse(url_name), "name": url_name})
        except NoReverseMatch:
            continue
    return items


@functools.cache
def _menu(roles, prefix):
    """The menu as shown: plain entries, and groups ({label, children, name}) of two or more."""
    entries = _entries(roles, prefix)
    members = {}
    for entry in entries:
        if entry["name"] in GROUP_OF:
            members.setdefault(GROUP_OF[entry["name"]], []).append(entry)
    menu, placed = [], set()
    for entry in entries:
        index = GROUP_OF.get(entry["name"])
        if index is None or len(members[index]) == 1:
            menu.append(entry)
        elif index not in placed:
            placed.add(index)
            menu.append({"label": GROUPS[index][0], "children": members[index], "name": f"group-{index}"})
    return menu


def _active(path, url):
    return " active" if path == url else ""


def _link(entry, path, *, li_class, a_class):
    """One entry's <li><a>, marked active and current when it is the page open."""
    current = path == entry["url"]
    return format_html(
        '<li{}><a class="{}{}" href="{}" data-nav="{}"{}>{}</a></li>',
        format_html(' class="{}"', li_class) if li_class else "",
        a_class,
        " active" if current else "",
        entry["url"],
        entry["name"],
        mark_safe(' aria-current="page"') if current else "",
        entry["label"],
    )


@functools.lru_cache(maxsize=512)
def _menu_html(roles, prefix, language, path):
    items = []
    for item in _menu(roles, prefix):
        if "children" not in item:
            items.append(_link(item, path, li_class="nav-item", a_class="nav-link"))
            continue
        children = [_link(child, path, li_class="", a_class="dropdown-item") for child in item["children"]]
        items.append(
            format_html(
                '<li class="nav-item dropdown">\n'
                '<a class="nav-link dropdown-toggle{}" href="#" role="button" data-bs-toggle="dropdown"'
                ' aria-expanded="false" data-nav-group="{}">{}</a>\n'
                '<ul class="dropdown-menu">\n{}\n</ul>\n</li>',
                "".join(_active(path, child["url"]) for child in item["children"]),
                item["name"],
                item["label"],
                mark_safe("\n".join(children)),  # noqa: S308 (each went through format_html)
            )
        )
    return mark_safe("\n".join(items))  # noqa: S308 (each item went through format_html)


def menu_html(user, path):
    """The menu's <li>s as HTML, the entry of `path` marked active: the same for every user with
    these roles in one language on one menu page, so built once per process and kept (a template
    loop with a comparison per entry was a tenth of the base page's rendering, issue 14). A path
    that is not a menu entry's shares one copy."""
    roles = user_roles(user)
    prefix = get_script_prefix()
    urls = {entry["url"] for entry in _entries(roles, prefix)}
    return _menu_html(roles, prefix, get_language(), path if path in urls else "")


def navigation(request):
    """Context processor: the menu of the signed-in user. A request refused before sign-in is
    read (a disallowed Host header answered by the 400 page) has no `user`: no menu."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"menu_html": ""}
    return {"menu_html": menu_html(request.user, request.path), "user_roles": user_roles(request.user)}
