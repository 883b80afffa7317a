from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from members.models import Person, PersonRole
from members.permissions import can, require
from portal.pagination import paginate

from . import selectors, services, tokens
from .forms import ArchiveFilterForm, PreferencesForm, SubscribeForm
from .models import Issue
from .rendering import markdown_to_html

ARCHIVE_PAGE_SIZE = 20
# One confirmation mail per address in this many seconds: the public form cannot be used
# to flood somebody's inbox.
CONFIRMATION_INTERVAL = 600


@require("newsletter.view_archive")
def index(request):
    form = ArchiveFilterForm(request.GET or None, years=selectors.archive_years(request.roles))
    filters = form.cleaned_data if form.is_valid() else {}
    issues = selectors.archive(
        request.roles,
        query=filters.get("q") or "",
        topic=filters["topic"].slug if filters.get("topic") else "",
        year=filters.get("year"),
    )
    context = {"form": form, **paginate(request, issues, ARCHIVE_PAGE_SIZE)}
    return render(request, "newsletter/index.html", context)


@require("newsletter.view_archive")
def issue(request, pk):
    issue = get_object_or_404(
        Issue.objects.published().prefetch_related("topics").select_related("masthead"), pk=pk
    )
    if issue.visibility == Issue.Visibility.MEMBERS and not can(
        request.roles, "newsletter.read_members_only"
    ):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    return render(
        request,
        "newsletter/issue.html",
        {"issue": issue, "body_html": markdown_to_html(issue.body)},
    )


@require("newsletter.subscribe")
def subscribe(request):
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if cache.add(f"newsletter-confirm:{email}", 1, CONFIRMATION_INTERVAL):
            services.request_subscription(
                email, form.cleaned_data["name"], form.cleaned_data["topics"]
            )
        return render(request, "newsletter/subscribe_sent.html", {"email": email})
    return render(request, "newsletter/subscribe.html", {"form": form})


@require("newsletter.subscribe")
def confirm(request, token):
    """The link only shows a button: a mail scanner that follows it confirms nothing."""
    data = tokens.read_confirm_token(token)
    if data is None:
        return render(request, "newsletter/link_invalid.html", status=400)
    if request.method == "POST":
        services.confirm_subscription(data)
        return render(request, "newsletter/confirmed.html", {"email": data["e"]})
    return render(request, "newsletter/confirm.html", {"email": data["e"]})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a form
@require("newsletter.subscribe")
def unsubscribe(request, token):
    """POST unsubscribes at once (one-click); GET only asks, since scanners follow links."""
    subscriber = tokens.subscriber_for_unsubscribe(token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=400)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        services.unsubscribe(subscriber, "one-click header" if one_click else "unsubscribe page")
        return render(request, "newsletter/unsubscribed.html", {"email": subscriber.email})
    return render(
        request,
        "newsletter/unsubscribe.html",
        {"email": subscriber.email, "unsubscribed": subscriber.unsubscribed_at is not None},
    )


@require("newsletter.manage_own_subscription")
def preferences(request):
    person = get_object_or_404(Person.objects.current(), user=request.user)
    in_role = person.roles.current().filter(kind=PersonRole.Kind.NEWSLETTER).exists()
    if not in_role or not person.email:
        return render(request, "newsletter/preferences.html", {"person": person, "form": None})
    subscriber = services.subscriber_for_person(person)
    active = subscriber.unsubscribed_at is None and subscriber.bounced_at is None
    initial = {"topics": list(subscriber.topics.all()) if active else []}
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_topics(subscriber, list(form.cleaned_data["topics"]), "profile page")
        messages.success(request, _("Your newsletter topics are saved."))
        return redirect("newsletter:preferences")
    return render(
        request,
        "newsletter/preferences.html",
        {"person": person, "form": form, "subscriber": subscriber},
    )
