"""The public status lookup of a support request."""

from django.shortcuts import render

from core import throttle
from core.http import client_ip

from .. import selectors
from ..forms import LookupForm

LOOKUP_LIMIT = 10
LOOKUP_WINDOW = 600


def _lookup_allowed(request):
    return throttle.hit(f"applicants:lookup:{client_ip(request)}", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW)


def lookup(request):
    """Anyone with a tracking code and the applicant's tax code (or phone) sees the request's status
    and its dated steps, nothing else. Rate-limited per visitor. The form is POSTed so that the tax
    code or phone never lands in an address bar, a browser history or a server's access log."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if form.is_bound:
        if not _lookup_allowed(request):
            context["limited"] = True
            return render(request, "applicants/lookup.html", context, status=429)
        if form.is_valid():
            found = selectors.public_lookup(
                code=form.cleaned_data["code"], secret=form.cleaned_data["secret"]
            )
            context["found"] = found
            context["not_found"] = found is None
            if found:
                context["steps"] = selectors.public_steps(found)
    return render(request, "applicants/lookup.html", context)
