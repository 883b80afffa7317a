"""Award mail, all through the mail engine so that each goes out exactly once.

`queue` is called inside the transaction that makes the change the mail reports: both
commit together or neither does. The renderer re-reads the rows by the ids in the context.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from outbox import engine
from portal.mail import PortalMessage, portal_url, render_templated

from .models import EligibilityQuestion, Entry, Nomination

RENDERER = "awards.mail"  # render's name with the mail engine (registered in apps.py)


def queue(template: str, address: str, *, entry: Entry, **ids) -> None:
    name = _("Award %(reference)s: %(template)s") % {
        "reference": entry.reference,
        "template": template,
    }
    context = {"template": template, "entry": entry.pk, **ids}
    engine.start_mailing(name, RENDERER, [{"address": address, "context": context}])


def queue_to_secretariat(template: str, *, entry: Entry, **ids) -> None:
    queue(template, settings.SERVER_EMAIL, entry=entry, **ids)


def render(mailing, delivery) -> PortalMessage:
    context = dict(delivery.context)
    template = context.pop("template")
    entry = Entry.objects.select_related("edition", "track").get(pk=context.pop("entry"))
    values = {
        "entry": entry,
        "sections": _section_summary(entry),
        "entry_url": portal_url(reverse("awards:entry", args=[entry.pk])),
        "admin_url": portal_url(reverse("admin:awards_entry_change", args=[entry.pk])),
    }
    if "nomination" in context:
        nomination = Nomination.objects.get(pk=context["nomination"])
        values["nomination"] = nomination
        values["consent_url"] = portal_url(reverse("awards:consent", args=[nomination.token]))
    if "question" in context:
        values["question"] = EligibilityQuestion.objects.get(pk=context["question"])
    return render_templated(f"awards/email/{template}", values, delivery.address)


def _section_summary(entry: Entry) -> list[tuple[str, str]]:
    """The entry's sections as (heading, first lines), for the confirmation summary."""
    return [
        (section.label, text[:120] + ("…" if len(text) > 120 else ""))
        for section, text in entry.section_items()
    ]
