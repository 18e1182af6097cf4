from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .home import home_progress, money_rule, public_figures
from .selectors import current_programme
from .worklist import worklist_for


def home(request):
    """The public home page: the programme, its content areas and items, and its targets."""
    programme = current_programme()
    context = {"programme": programme}
    if programme:
        context["areas"] = list(programme.content_areas.prefetch_related("activity_types"))
        context["progress"], context["progress_chart"] = home_progress(programme)
        context["figures"] = public_figures(programme, context["progress"], context["areas"])
        context["money_rule"] = money_rule()
    return render(request, "reports/home.html", context)


@login_required
def dashboard(request):
    """The signed-in user's first page ("Trang làm việc"): the work waiting for each of its roles,
    each line with its count and a link to where it is done (reports.worklist)."""
    return render(request, "reports/worklist.html", {"sections": worklist_for(request.user)})
