from django.shortcuts import render

from .selectors import current_programme, programme_progress, target_progress_chart


def home(request):
    """The public home page: the programme, its content areas and items, and its targets."""
    programme = current_programme()
    context = {"programme": programme}
    if programme:
        context["areas"] = programme.content_areas.prefetch_related("activity_types")
        context["progress"] = programme_progress(programme)
        context["progress_chart"] = target_progress_chart(context["progress"])
    return render(request, "reports/home.html", context)
