"""What an admin change page posts back as it stands, for tests that change one thing in it
(an inline row added or deleted) and submit it as the secretariat would."""

from django import forms


def _values(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value) if value is not None else []
            data.update({f"{key}_{n}": str(part) for n, part in enumerate(parts) if part})
        elif isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        elif value is not None:
            data[key] = str(value)
    return data


def change_page_data(response) -> dict:
    """The main form's and every inline form's values, with the inlines' management forms."""
    data = _values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_values(formset.management_form))
        for form in formset.forms:
            data.update(_values(form))
    return data


def add_inline_row(data: dict, prefix: str, **fields) -> dict:
    """`data` with one more row in the inline `prefix`."""
    count = int(data[f"{prefix}-TOTAL_FORMS"])
    row = {f"{prefix}-{count}-{name}": value for name, value in fields.items()}
    return {**data, **row, f"{prefix}-TOTAL_FORMS": str(count + 1)}
