from django import forms

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
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
