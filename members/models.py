from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import kana, names
from portal.prefectures import PREFECTURES
from portal.validators import validate_katakana, validate_name, validate_phone

from .validators import validate_corporate_number, validate_postal_code


class LocalisedName(models.Model):
    """Editable reference data with a Japanese name, an English name and an order."""

    name = models.CharField(_("name (Japanese)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class RegionalBlock(LocalisedName):
    class Meta(LocalisedName.Meta):
        verbose_name = _("regional block")
        verbose_name_plural = _("regional blocks")


class OrganisationKind(LocalisedName):
    class Meta(LocalisedName.Meta):
        verbose_name = _("kind of organisation")
        verbose_name_plural = _("kinds of organisation")


class MembershipClass(LocalisedName):
    """A class of membership; amounts and minimums are data the secretariat edits."""

    class DuesRule(models.TextChoices):
        PER_UNIT = "per_unit", _("per unit")
        FLAT = "flat", _("flat amount")
        NONE = "none", _("none")

    class VotesRule(models.TextChoices):
        PER_UNIT = "per_unit", _("one vote per unit")
        NONE = "none", _("no votes")

    code = models.SlugField(_("code"), unique=True)
    dues_rule = models.CharField(_("dues rule"), max_length=10, choices=DuesRule.choices)
    unit_price = models.PositiveIntegerField(_("price per unit (yen)"), null=True, blank=True)
    minimum_units = models.PositiveSmallIntegerField(_("minimum units"), null=True, blank=True)
    flat_amount = models.PositiveIntegerField(_("flat amount (yen)"), null=True, blank=True)
    votes_rule = models.CharField(_("votes rule"), max_length=10, choices=VotesRule.choices)
    is_invoiced = models.BooleanField(_("invoiced"), default=False)

    history = HistoricalRecords()

    class Meta(LocalisedName.Meta):
        verbose_name = _("membership class")
        verbose_name_plural = _("membership classes")

    def clean(self):
        if self.dues_rule == self.DuesRule.PER_UNIT and not (
            self.unit_price and self.minimum_units
        ):
            raise ValidationError(_("Dues per unit need a price per unit and a minimum of units."))
        if self.dues_rule == self.DuesRule.FLAT and self.flat_amount is None:
            raise ValidationError(_("A flat dues rule needs the flat amount."))
        if self.votes_rule == self.VotesRule.PER_UNIT and self.dues_rule != self.DuesRule.PER_UNIT:
            raise ValidationError(_("Votes per unit need dues per unit."))

    @property
    def has_units(self) -> bool:
        return self.dues_rule == self.DuesRule.PER_UNIT

    def dues_for(self, units: int | None) -> int:
        """Yen due for a fiscal year with `units` (ignored unless dues are per unit)."""
        if self.dues_rule == self.DuesRule.PER_UNIT:
            return self.unit_price * (units or 0)
        if self.dues_rule == self.DuesRule.FLAT:
            return self.flat_amount
        return 0

    def votes_for(self, units: int | None) -> int:
        return (units or 0) if self.votes_rule == self.VotesRule.PER_UNIT else 0


class Organisation(models.Model):
    name = models.CharField(_("legal name"), max_length=200, validators=[validate_name])
    name_kana = models.CharField(
        _("legal name (kana)"),
        max_length=200,
        blank=True,
        validators=[validate_name, validate_katakana],
    )
    short_name = models.CharField(
        _("short name"), max_length=100, blank=True, validators=[validate_name]
    )
    name_en = models.CharField(
        _("English name"), max_length=200, blank=True, validators=[validate_name]
    )
    kind = models.ForeignKey(
        OrganisationKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+"
    )
    corporate_number = models.CharField(
        _("corporate number"),
        max_length=13,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("13 digits; leave empty for bodies without one."),
    )
    postal_code = models.CharField(
        _("postal code"), max_length=7, blank=True, validators=[validate_postal_code]
    )
    prefecture = models.PositiveSmallIntegerField(_("prefecture"), choices=PREFECTURES)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    website = models.URLField(_("website"), blank=True)
    block = models.ForeignKey(
        RegionalBlock,
        verbose_name=_("regional block"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    description = models.TextField(_("strengths (public)"), blank=True)
    # Names and strengths folded by kana.normalise, so that a search in kana or kanji, full
    # or half width, finds them with a plain substring match on any database.
    search_text = models.TextField(editable=False, default="")
    # The reading without the legal form (kana.sort_key): the order of every list of
    # organisations, so that 公益財団法人... does not sort under コ.
    sort_key = models.CharField(_("sort key"), max_length=200, editable=False, default="")
    # Bumped on every profile edit, so that a second editor working from an older copy is
    # told instead of overwriting (see services.update_profile).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["search_text", "sort_key", "version"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["sort_key", "name"]
        indexes = [models.Index(fields=["sort_key", "name"], name="organisation_sort_order")]

    def __str__(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        self.derive_fields()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    # What derive_fields() computes from the names: a bulk write (which skips save()) calls it
    # and writes these too.
    DERIVED_FIELDS = ("search_text", "sort_key")

    def derive_fields(self) -> None:
        self.search_text = self.build_search_text()
        self.sort_key = kana.sort_key(self.name_kana, self.name)

    def build_search_text(self) -> str:
        return kana.search_text(
            self.name, self.name_kana, self.short_name, self.name_en, self.description
        )


def current_membership_q(path: str = "") -> models.Q:
    """The current memberships, through the relation `path` to them ("" on Membership): the
    one rule, for querysets, filtered relations and joins from other models."""
    return models.Q(**{f"{path}left_on__isnull": True})


class MembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(current_membership_q())


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        LEFT = "left", _("left")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    membership_class = models.ForeignKey(
        MembershipClass, verbose_name=_("membership class"), on_delete=models.PROTECT
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(left_on__isnull=True),
                name="one_current_membership_per_organisation",
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.membership_class})"


class PersonQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_on__isnull=True)


class Person(models.Model):
    """A contact person; may log in through a linked user, or be a record only."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="people",
        null=True,
        blank=True,
    )
    family_name = models.CharField(_("family name"), max_length=50, validators=[validate_name])
    given_name = models.CharField(_("given name"), max_length=50, validators=[validate_name])
    family_name_kana = models.CharField(
        _("family name (kana)"),
        max_length=50,
        blank=True,
        validators=[validate_name, validate_katakana],
    )
    given_name_kana = models.CharField(
        _("given name (kana)"),
        max_length=50,
        blank=True,
        validators=[validate_name, validate_katakana],
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    left_on = models.DateField(
        _("removed on"),
        null=True,
        blank=True,
        help_text=_("No longer a contact of the organisation since this day; kept for history."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name_kana", "given_name_kana"]

    def __str__(self):
        return names.person_name(self.family_name, self.given_name)


class PersonRoleQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ends_on__isnull=True)


class RoleKind(models.TextChoices):
    REPRESENTATIVE = "representative", _("representative")
    PRIMARY = "primary", _("primary contact")
    BILLING = "billing", _("billing contact")
    VOTER = "voter", _("voter")
    NEWSLETTER = "newsletter", _("newsletter recipient")


# At most one current holder of each of these per organisation.
SINGLE_HOLDER_ROLES = [RoleKind.REPRESENTATIVE, RoleKind.PRIMARY, RoleKind.BILLING, RoleKind.VOTER]
# The roles that commit the organisation's money: its units (and so its dues and votes) and
# how it is billed. Other contacts (e.g. newsletter recipients) only see them.
DUES_AUTHORITY_ROLES = [RoleKind.REPRESENTATIVE, RoleKind.PRIMARY, RoleKind.BILLING]


class PersonRole(models.Model):
    """A dated role of a person in an organisation; history is kept by ending, not deleting."""

    Kind = RoleKind
    SINGLE_HOLDER_KINDS = SINGLE_HOLDER_ROLES

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="person_roles",
    )
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = PersonRoleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact role")
        verbose_name_plural = _("contact roles")
        ordering = ["kind", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"],
                condition=models.Q(ends_on__isnull=True, kind__in=SINGLE_HOLDER_ROLES),
                name="one_current_holder_per_single_role",
                violation_error_message=_(
                    "This organisation already has a current holder of this role: "
                    "end that role first."
                ),
            )
        ]

    def __str__(self):
        return f"{self.person} ({self.get_kind_display()})"


class FiscalYearSettings(models.Model):
    """Per fiscal year settings the secretariat edits (e.g. the deadline for choosing units)."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    units_deadline = models.DateTimeField(
        _("deadline for choosing units"),
        help_text=_("Members choose their units for this fiscal year until this time."),
    )

    class Meta:
        verbose_name = _("fiscal year settings")
        verbose_name_plural = _("fiscal year settings")
        ordering = ["-fiscal_year"]

    def __str__(self):
        return _("FY%(year)d") % {"year": self.fiscal_year}


class UnitsException(models.Model):
    """A lower minimum of units granted to one organisation for one fiscal year."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    minimum_units = models.PositiveSmallIntegerField(_("minimum units"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("units exception")
        verbose_name_plural = _("units exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fiscal_year"], name="one_units_exception_per_year"
            )
        ]

    def __str__(self):
        return f"{self.organisation} FY{self.fiscal_year}"


class MembershipYear(models.Model):
    """One organisation's membership in one fiscal year, frozen.

    Class, units, amount and votes are copied here when the year is set up, so that
    later changes to a class's rules never rewrite history.
    """

    class Standing(models.TextChoices):
        DUE = "due", _("dues outstanding")
        PAID = "paid", _("paid")
        EXEMPT = "exempt", _("nothing due")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="years",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    membership_class = models.ForeignKey(
        MembershipClass, verbose_name=_("membership class"), on_delete=models.PROTECT
    )
    units = models.PositiveSmallIntegerField(_("units"), null=True, blank=True)
    amount_due = models.PositiveIntegerField(_("amount due (yen)"))
    votes = models.PositiveSmallIntegerField(_("votes"))
    standing = models.CharField(_("standing"), max_length=10, choices=Standing.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership year")
        verbose_name_plural = _("membership years")
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fiscal_year"], name="one_membership_year_per_fy"
            )
        ]

    def __str__(self):
        return f"{self.organisation} FY{self.fiscal_year}"


class ChangeRequest(models.Model):
    """A member's change to a field the secretariat must approve first."""

    class Field(models.TextChoices):
        NAME = "name", _("legal name")
        CORPORATE_NUMBER = "corporate_number", _("corporate number")
        REPRESENTATIVE = "representative", _("representative")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    old_value = models.CharField(_("current value"), max_length=200, blank=True)
    new_value = models.CharField(_("requested value"), max_length=200)
    new_person = models.ForeignKey(
        Person,
        verbose_name=_("new representative"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("reason for the decision"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.organisation}: {self.get_field_display()}"


class OrganisationImport(models.Model):
    """An uploaded member list, checked and imported by a worker: all rows or none.

    The worker's check and writes run in one transaction that also records the outcome,
    so a killed worker leaves the import queued and writes nothing.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        REJECTED = "rejected", _("rejected: nothing imported")
        IMPORTED = "imported", _("imported")

    upload = models.FileField(_("file"), upload_to="imports/%Y/")
    file_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("organisations created"), default=0)
    # [{"row": 3, "column": "法人番号", "message": "..."}]; row 0 is the file as a whole.
    report = models.JSONField(_("problems found"), default=list, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("member list import")
        verbose_name_plural = _("member list imports")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.file_name
