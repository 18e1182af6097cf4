"""The user guides (docs/huong-dan/*.md, one per role) as pages of the portal: "Hướng dẫn" in the
menu opens the guide of the user's own role first, and every guide is a link away.

The Markdown is rendered with markdown-it-py, raw HTML off (the files are ours, but a page of the
portal never passes HTML through); its pictures (`anh/…png`) are static files
(STATICFILES_DIRS "huong-dan"), so nginx or whitenoise serve them with the rest."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from accounts.roles import Role, user_roles

GUIDE_DIR = Path(settings.BASE_DIR) / "docs" / "huong-dan"
IMAGE_PREFIX = "anh/"


@dataclass(frozen=True)
class Guide:
    slug: str
    role: str

    @property
    def path(self) -> Path:
        return GUIDE_DIR / f"{self.slug}.md"

    @property
    def title(self) -> str:
        return _rendered(self.slug)[0]

    @property
    def url(self) -> str:
        return reverse("help_guide", args=[self.slug])


# In the order of the menu: the Sở first, then who reports to it, then who reads.
GUIDES = [
    Guide("can-bo-so", Role.STAFF),
    Guide("lanh-dao-so", Role.LEADER),
    Guide("don-vi-bao-cao", Role.UNIT_REPORTER),
    Guide("co-so", Role.APPLICANT),
    Guide("co-quan-theo-doi", Role.OBSERVER),
]
BY_SLUG = {guide.slug: guide for guide in GUIDES}


def _markdown():
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def _rewrite(tokens):
    """Pictures point at their static URL; links to another guide's .md open its page."""
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                src = str(child.attrGet("src") or "")
                if src.startswith(IMAGE_PREFIX):
                    child.attrSet("src", static("huong-dan/" + src[len(IMAGE_PREFIX) :]))
                child.attrSet("class", "img-fluid border rounded my-2")
                child.attrSet("loading", "lazy")
            elif child.type == "link_open":
                match = re.fullmatch(r"([a-z-]+)\.md(#[\w-]*)?", str(child.attrGet("href") or ""))
                if match and match.group(1) in BY_SLUG:
                    child.attrSet(
                        "href", reverse("help_guide", args=[match.group(1)]) + (match.group(2) or "")
                    )
        if token.type == "table_open":
            token.attrSet("class", "table table-sm table-bordered")


@cache
def _rendered(slug):
    """(title, HTML of the body) of a guide: its first heading is the page's title."""
    text = BY_SLUG[slug].path.read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    md = _markdown()
    tokens = md.parse(body)
    _rewrite(tokens)
    return title.lstrip("# ").strip(), mark_safe(md.renderer.render(tokens, md.options, {}))  # noqa: S308 (our files, raw HTML off)


def guides_for(user):
    """The user's own guides first (several roles: each), then the others."""
    roles = user_roles(user)
    own = [guide for guide in GUIDES if guide.role in roles]
    return own, [guide for guide in GUIDES if guide not in own]


def _page(request, guide):
    own, others = guides_for(request.user)
    title, body = _rendered(guide.slug)
    return render(
        request,
        "help/guide.html",
        {"guide": guide, "title": title, "body": body, "own": own, "others": others},
    )


def help_index(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    own, _others = guides_for(request.user)
    return _page(request, (own or GUIDES)[0])


def help_guide(request, slug):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    guide = BY_SLUG.get(slug)
    if guide is None:
        raise Http404
    return _page(request, guide)
