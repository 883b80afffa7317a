from django import forms

from portal.formfields import field_classes

from .models import BillingProfile


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
