from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .prefectures import PREFECTURES
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

    class Meta(LocalisedName.Meta):
        verbose_name = _("membership class")
        verbose_name_plural = _("membership classes")


class Organisation(models.Model):
    name = models.CharField(_("legal name"), max_length=200)
    name_kana = models.CharField(_("legal name (kana)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
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
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    block = models.ForeignKey(
        RegionalBlock,
        verbose_name=_("regional block"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    description = models.TextField(_("strengths (public)"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_kana", "name"]

    def __str__(self):
        return self.short_name or self.name


class MembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_on__isnull=True)


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
    family_name = models.CharField(_("family name"), max_length=50)
    given_name = models.CharField(_("given name"), max_length=50)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=50, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name_kana", "given_name_kana"]

    def __str__(self):
        return f"{self.family_name} {self.given_name}"
