"""Choosing an organisation's open invoice in the admin (review queue, payments, write-offs).

The organisation is searched by name (the admin's autocomplete, served by the portal under
its CSP); the invoices offered are the open ones of the organisation chosen, each labelled
with the organisation, number, amount and due date. The choices come from the server: as
posted, else as saved, so a form without its script still offers the right ones after a
save; `static/js/open-invoices.js` reloads them as soon as another organisation is chosen,
from `InvoiceAdmin.open_invoices_view`.
"""

from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import selectors

NOT_OPEN = _("Choose among the open invoices of the organisation chosen above.")


def invoice_label(invoice) -> str:
    return _("%(organisation)s · %(number)s · %(amount)s yen · due %(due)s") % {
        "organisation": invoice.organisation.name,
        "number": invoice.display_number,
        "amount": f"{invoice.total:,}",
        "due": date_format(invoice.due_on, "SHORT_DATE_FORMAT"),
    }


class _Labelled:
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", selectors.open_invoices(None))
        kwargs.setdefault("error_messages", {"invalid_choice": NOT_OPEN})
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return invoice_label(obj)


class OpenInvoiceField(_Labelled, forms.ModelChoiceField):
    """One open invoice of the organisation chosen."""


class OpenInvoicesField(_Labelled, forms.ModelMultipleChoiceField):
    """Open invoices of the organisation chosen, as checkboxes."""

    widget = forms.CheckboxSelectMultiple


class OpenInvoicePicker(forms.BaseForm):
    """A form with an `organisation` field and an invoice field named `invoice_field`, whose
    choices are the open invoices of the organisation chosen."""

    invoice_field = "invoices"

    class Media:
        js = ["js/open-invoices.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not {"organisation", self.invoice_field} <= self.fields.keys():
            return  # a record shown read-only: nothing to choose
        field = self.fields[self.invoice_field]
        field.queryset = selectors.open_invoices(self.chosen_organisation())
        organisation = self.fields["organisation"].widget
        organisation = getattr(organisation, "widget", organisation)  # the admin's wrapper
        organisation.attrs.update(
            {
                "data-open-invoices": reverse("admin:dues_invoice_open"),
                "data-open-invoices-for": self[self.invoice_field].auto_id,
                "data-open-invoices-name": self.add_prefix(self.invoice_field),
            }
        )
        if not field.help_text:
            field.help_text = _("The open invoices of the organisation chosen above.")

    def chosen_organisation(self) -> int | None:
        """The organisation's id as posted, else as saved or given."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("organisation"), "")
        else:
            instance = getattr(self, "instance", None)
            value = getattr(instance, "organisation_id", None) or self.initial.get("organisation")
        value = getattr(value, "pk", value)
        return int(value) if str(value).isdigit() else None
