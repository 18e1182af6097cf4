"""Our forms' renderer: the commonest widgets written in Python.

Django renders every widget through templates: a <select> of fifteen options is some fifty
template includes and a hundred variable lookups, about a tenth of the project page (issue 14),
and the commune's yearly report form is rows of number inputs. `QuickRenderer` writes <select>,
<option>, <input> and <textarea> with the markup of Django's own templates
(django/forms/templates/django/forms/widgets/: select, select_option, attrs, input, textarea) and
hands every other template (and a select whose options have their own template) to Django. Our
forms get it from `core.forms.bootstrap`, which every form of ours calls; the admin keeps Django's
renderer. tests/core/test_renderers.py renders each widget
both ways and compares.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

# the templates that only include input.html (django/forms/widgets/<type>.html)
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "file",
    )
)
SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"


def _as_s(value) -> str:
    """`{{ value|stringformat:'s' }}`: the text, escaped unless it was marked safe."""
    text = "%s" % (value,)  # noqa: UP031 (stringformat's own conversion)
    return mark_safe(text) if isinstance(value, SafeData) else escape(text)  # noqa: S308


def _shown(value) -> str:
    """`{{ value }}`: localised (numbers with the thousands separator) and escaped."""
    return conditional_escape(localize(value))


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_as_s(value)}"')
    return "".join(parts)


def _option(option) -> str:
    return f'<option value="{_as_s(option["value"])}"{_attrs(option["attrs"])}>{_shown(option["label"])}</option>'


def _select(widget) -> str:
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            # select_option.html ends with a newline, which its include keeps
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input(widget) -> str:
    value = "" if widget["value"] is None else f' value="{_as_s(widget["value"])}"'
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget) -> str:
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class QuickRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None:
            if template_name in INPUT_TEMPLATES:
                return mark_safe(_input(widget))  # noqa: S308 (every value escaped above)
            if template_name == SELECT and all(
                option["template_name"] == OPTION
                for _g, choices, _i in widget["optgroups"]
                for option in choices
            ):
                return mark_safe(_select(widget))  # noqa: S308
            if template_name == TEXTAREA:
                return mark_safe(_textarea(widget))  # noqa: S308
        return super().render(template_name, context, request)


QUICK_RENDERER = QuickRenderer()
