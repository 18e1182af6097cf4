"""{% unit_official report as official %}: what templates/reports/_unit_pdf.html shows of a unit
report's official documents (its PDF and signed copy) for the user who reads the page (task E)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_official(context, report):
    from reports.signatures import official_context

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return official_context(user, report)
