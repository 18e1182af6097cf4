"""The project page's plan forms (issue 12): the plan item of a one-year đề án, the yearly shares of
a multi-year one. Shape only; projects.services.plans says what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, MoneyField, bootstrap
from programmes.models import PlanItem


def _item_label(item) -> str:
    return f"{item.plan}: {item}"


class PlanItemPickForm(BootstrapMixin, forms.Form):
    plan_item = forms.ModelChoiceField(
        label=_("Mục kế hoạch"), queryset=PlanItem.objects.none(), required=False
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["plan_item"]
        field.queryset = PlanItem.objects.filter(pk__in=[i.pk for i in items]).select_related(
            "plan__funding_source", "activity", "variant"
        )
        field.label_from_instance = _item_label
        field.empty_label = _("— chưa gắn —")


class PlanSharesForm(forms.Form):
    """One row a year: the item of that year's plan and the amount planned in it."""

    def __init__(self, *args, items_by_year: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = sorted(items_by_year)
        for year in self.years:
            self.fields[f"item_{year}"] = forms.TypedChoiceField(
                label=_("Mục kế hoạch năm %(year)s") % {"year": year},
                choices=[("", _("— không chi năm này —"))]
                + [(str(i.pk), str(i)) for i in items_by_year[year]],
                required=False,
                coerce=int,
                empty_value=None,
            )
            self.fields[f"amount_{year}"] = MoneyField(
                label=_("Kinh phí năm %(year)s (đồng)") % {"year": year}, min_value=0, required=False
            )
        self.items = {i.pk: i for rows in items_by_year.values() for i in rows}
        bootstrap(self)

    def rows(self):
        """(year, item field, amount field) for the template."""
        return [(year, self[f"item_{year}"], self[f"amount_{year}"]) for year in self.years]

    def shares(self) -> list[dict]:
        return [
            {"plan_item": self.items[pk], "amount": self.cleaned_data.get(f"amount_{year}") or 0}
            for year in self.years
            if (pk := self.cleaned_data.get(f"item_{year}")) is not None
        ]
