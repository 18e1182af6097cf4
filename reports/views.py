from django.shortcuts import render

from .selectors import current_programme, programme_progress


def home(request):
    """The public home page: the programme, its content areas and items, and its targets."""
    programme = current_programme()
    context = {"programme": programme}
    if programme:
        context["areas"] = programme.content_areas.prefetch_related("activity_types")
        context["progress"] = programme_progress(programme)
    return render(request, "reports/home.html", context)
