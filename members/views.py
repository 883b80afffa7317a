from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.pagination import paginate

from . import selectors, services
from .forms import ContactForm, DirectoryFilterForm, ProfileForm
from .models import Organisation, Person, PersonRole
from .permissions import can, require


def _render_own(request, template, organisation, **extra):
    """Render a page about `organisation`, the one the logged-in contact acts for."""
    context = {
        "organisation": organisation,
        "membership": selectors.current_membership(organisation),
        **extra,
    }
    return render(request, template, context)


@require("members.view_own_organisation")
def my_organisation(request):
    organisation = selectors.member_organisation(request.roles)
    contacts = list(selectors.contacts_of(organisation))
    for person in contacts:
        held = {role.kind for role in person.current_roles}
        person.removable = not services.removal_refusal(person, held, by_user=request.user)
    return _render_own(
        request,
        "members/organisation.html",
        organisation,
        contacts=contacts,
        pending=selectors.pending_change_requests(organisation),
        can_manage=can(request.roles, "members.manage_contacts"),
        primary=next((p for p in contacts if _holds(p, PersonRole.Kind.PRIMARY)), None),
        secretariat_email=selectors.secretariat_email(),
    )


def _holds(person, kind) -> bool:
    return any(role.kind == kind for role in person.current_roles)


def _own_contact(request, pk) -> Person:
    """A current contact of the user's own organisation; anyone else's is a 404."""
    own = Person.objects.current().filter(organisation_id=request.roles.organisation_id)
    return get_object_or_404(own, pk=pk)


@require("members.edit_own_contacts")
def edit_contact(request, pk=None):
    """Add a contact, or edit one: any contact edits their own details; the primary contact
    adds contacts and edits anyone's (a contact another one added could not be corrected
    by them afterwards)."""
    organisation = selectors.member_organisation(request.roles)
    person = _own_contact(request, pk) if pk else None
    by_primary = can(request.roles, "members.manage_contacts")
    if not by_primary and (person is None or person.user_id != request.user.pk):
        raise PermissionDenied
    roles = person.roles.current().values_list("kind", flat=True) if person else ()
    form = ContactForm(request.POST or None, instance=person, roles=roles, by_primary=by_primary)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_contact(
                organisation,
                person,
                form.person_data(),
                form.cleaned_data["roles"],
                by_primary=by_primary,
            )
        except ValidationError as error:
            form.add_error("roles", error)
        else:
            messages.success(request, _("%(person)s is saved.") % {"person": saved})
            return redirect("members:organisation")
    return _render_own(
        request,
        "form_page.html",
        organisation,
        form=form,
        title=_("Edit a contact") if person else _("Add a contact"),
        cancel_url=reverse("members:organisation"),
    )


@require_POST
@require("members.manage_contacts")
def invite_contact(request, pk):
    person = _own_contact(request, pk)
    try:
        invitation = services.invite_contact(person, by_user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
        )
    return redirect("members:organisation")


@require("members.manage_contacts")
def remove_contact(request, pk):
    person = _own_contact(request, pk)
    try:
        services.check_removable(person, by_user=request.user)
        if request.method == "POST":
            services.remove_contact(person, by_user=request.user)
            messages.success(request, _("%(person)s is removed.") % {"person": person})
            return redirect("members:organisation")
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("members:organisation")
    return _render_own(
        request,
        "members/contact_remove.html",
        selectors.member_organisation(request.roles),
        person=person,
    )


@require("members.edit_own_organisation")
def edit_organisation(request):
    organisation = selectors.member_organisation(request.roles)
    representative = services.current_representative(organisation)
    form = ProfileForm(request.POST or None, instance=organisation, representative=representative)
    if request.method == "POST" and form.is_valid():
        try:
            requests = services.update_profile(
                organisation,
                form.cleaned_data,
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except services.StaleEdit:
            form.add_error(
                None,
                _(
                    "Someone else saved this profile after you opened it. Their changes are kept; "
                    "check the values below and save again to apply yours."
                ),
            )
            data = form.data.copy()
            data["version"] = Organisation.objects.get(pk=organisation.pk).version
            form.data = data
        else:
            messages.success(request, _("The profile is saved."))
            if requests:
                messages.info(
                    request,
                    _(
                        "Changes of legal name, corporate number or representative wait for the "
                        "secretariat's approval."
                    ),
                )
            return redirect("members:organisation")
    return _render_own(
        request,
        "form_page.html",
        organisation,
        form=form,
        title=_("Edit the organisation profile"),
        cancel_url=reverse("members:organisation"),
    )


DIRECTORY_PAGE_SIZE = 20


@require("members.view_directory")
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.directory(**{k: v for k, v in filters.items() if v})
    context = {"form": form, **paginate(request, organisations, DIRECTORY_PAGE_SIZE)}
    return render(request, "members/directory.html", context)
