from django import forms

from members.forms import UnitsForm
from portal.formfields import field_classes

from .models import BillingProfile


class UnitsChangeForm(UnitsForm):
    """The units, and the correction the member confirmed: "invoice id:units" (dues.units)."""

    confirm_invoice = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)

    def clean_confirm_invoice(self) -> tuple[int, int] | None:
        invoice, _colon, units = self.cleaned_data["confirm_invoice"].partition(":")
        if invoice.isascii() and invoice.isdigit() and units.isascii() and units.isdigit():
            return int(invoice), int(units)
        return None  # nothing confirmed: a change after issue asks first

    def confirming(self, invoice_id: int, units: int) -> "UnitsChangeForm":
        """The same form, asking to confirm the correction of invoice `invoice_id`."""
        data = self.data.copy()
        data["confirm_invoice"] = f"{invoice_id}:{units}"
        return type(self)(data)


class BillingProfileForm(forms.ModelForm):
    class Meta:
        model = BillingProfile
        fields = [
            "addressee_name",
            "department",
            "attention_title",
            "attention_name",
            "postal_code",
            "address",
            "delivery",
            "with_seal",
            "notes",
        ]
        field_classes = field_classes(fields)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
