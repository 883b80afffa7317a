"""Dues: invoices and their numbering, payments, bank statements, reminders and the runs
that issue invoices for a fiscal year. What is owed comes from the registry's membership
years (`members.MembershipYear`); this app bills it and records what was paid."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import MembershipYear, Organisation
from members.validators import validate_postal_code
from portal import names, prefectures
from portal.validators import validate_name


class Delivery(models.TextChoices):
    PDF = "pdf", _("PDF by email")
    PAPER = "paper", _("paper by post, and PDF by email")


class BillingProfile(models.Model):
    """How one member wants its invoices: public payers' paperwork differs per member.

    Invoices copy what they need at issue, so a later change never alters an issued one.
    """

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="billing_profile",
    )
    addressee_name = models.CharField(
        _("addressee"),
        max_length=200,
        blank=True,
        validators=[validate_name],
        help_text=_("Leave empty to address invoices to the legal name."),
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    attention_title = models.CharField(
        _("title of the person addressed"),
        max_length=100,
        blank=True,
        help_text=_(
            "For example 理事長. With a title or a name the invoice ends in 様, else 御中."
        ),
    )
    attention_name = models.CharField(
        _("name of the person addressed"), max_length=100, blank=True, validators=[validate_name]
    )
    postal_code = models.CharField(
        _("postal code for posted invoices"),
        max_length=7,
        blank=True,
        validators=[validate_postal_code],
    )
    address = models.CharField(
        _("address for posted invoices"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty to use the organisation's address."),
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PDF
    )
    with_seal = models.BooleanField(
        _("seal on invoices"),
        default=False,
        help_text=_("Print the issuer's seal image on this member's invoices."),
    )
    notes = models.TextField(
        _("other requirements"),
        blank=True,
        help_text=_(
            "Anything else the secretariat must know, e.g. a quote and delivery note are "
            "needed, or payment comes by national treasury transfer (国庫金振込)."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("billing profile")
        verbose_name_plural = _("billing profiles")

    def __str__(self):
        return self.addressee()

    def postal_address(self) -> str:
        """Where posted invoices go (this profile's address, else the organisation's);
        empty for invoices sent as PDF only."""
        if self.delivery != Delivery.PAPER:
            return ""
        if self.address:
            return prefectures.full_address(None, self.address, self.postal_code)
        organisation = self.organisation
        with translation.override("ja"):  # a Japanese document, whoever issues it
            return prefectures.full_address(
                organisation.prefecture, organisation.address, organisation.postal_code
            )

    def addressee(self) -> str:
        """The addressee line with its honorific: 様 for a person, 御中 for a body."""
        parts = (self.addressee_name or self.organisation.name, self.department)
        body = " ".join(part for part in parts if part)
        person = " ".join(part for part in (self.attention_title, self.attention_name) if part)
        with translation.override("ja"):  # a Japanese document, whoever issues it
            if person:
                return names.to_person(f"{body} {person}")
            return names.to_organisation(body)


registration_number_validator = RegexValidator(
    r"^T\d{13}$", _("A registration number is T followed by 13 digits.")
)


class Issuer(models.Model):
    """The network as the issuer of invoices; one row, edited by the secretariat."""

    name = models.CharField(_("name"), max_length=200)
    postal_code = models.CharField(
        _("postal code"), max_length=7, validators=[validate_postal_code]
    )
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    registration_number = models.CharField(
        _("qualified invoice registration number"),
        max_length=14,
        blank=True,
        validators=[registration_number_validator],
    )
    registered_from = models.DateField(_("registered from"), null=True, blank=True)
    registered_until = models.DateField(_("registered until"), null=True, blank=True)
    bank_account = models.TextField(
        _("bank account for transfers"), help_text=_("Printed on invoices as it is.")
    )
    dues_tax_note = models.TextField(
        _("note on dues and consumption tax"),
        default="会費は対価性のない通常会費のため、消費税の課税対象外（不課税）です。",
    )
    payment_days = models.PositiveSmallIntegerField(_("days to pay"), default=30)
    write_off_limit = models.PositiveIntegerField(
        _("largest shortfall to write off (yen)"),
        default=1000,
        help_text=_("Shortfalls up to this amount (e.g. bank fees) may be written off."),
    )
    seal_image = models.ImageField(_("seal image"), upload_to="issuer/", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("issuer")
        verbose_name_plural = _("issuer")

    def __str__(self):
        return self.name

    def registration_number_on(self, day) -> str:
        """The number to print on `day`: only while registered, else nothing."""
        if not self.registration_number or self.registered_from is None:
            return ""
        if day < self.registered_from:
            return ""
        if self.registered_until is not None and day > self.registered_until:
            return ""
        return self.registration_number


class InvoiceSequence(models.Model):
    """The last invoice number of a fiscal year; locked while a number is taken (no gaps)."""

    fiscal_year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"FY{self.fiscal_year}: {self.last_number}"


class Invoice(models.Model):
    """An issued invoice; never changed after issue: a correction is a new invoice."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled (corrected)")

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    number = models.PositiveIntegerField(_("number"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    membership_year = models.ForeignKey(
        MembershipYear,
        verbose_name=_("membership year"),
        on_delete=models.PROTECT,
        related_name="invoices",
        null=True,
        blank=True,
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    addressee = models.CharField(_("addressee"), max_length=300)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PDF
    )
    postal_address = models.CharField(
        _("postal address"),
        max_length=400,
        blank=True,
        help_text=_("Printed above the addressee of invoices sent by post."),
    )
    with_seal = models.BooleanField(_("seal printed"), default=False)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    total = models.PositiveIntegerField(_("total (yen)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    notice_sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    receipt_pdf = models.FileField(_("receipt PDF"), upload_to="receipts/%Y/", blank=True)
    receipt_sha256 = models.CharField(_("receipt PDF SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-fiscal_year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "number"], name="invoice_number_unique_per_fy"
            ),
            models.UniqueConstraint(
                fields=["membership_year"],
                condition=models.Q(replaces__isnull=True),
                name="one_dues_invoice_per_membership_year",
            ),
        ]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.fiscal_year}-{self.number:05d}"

    @property
    def days_overdue(self) -> int:
        """Days an open invoice is past its due date, today in Asia/Tokyo (0 if it is not):
        computed on every read, never stored, so it cannot drift (see `overdue_q`)."""
        if self.status != self.Status.ISSUED:
            return 0
        return max((timezone.localdate() - self.due_on).days, 0)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


def overdue_q(today, path: str = "") -> models.Q:
    """Open invoices past their due date on `today` (Asia/Tokyo), through the relation
    `path` to them: the rule of `Invoice.is_overdue`, for querysets."""
    return models.Q(**{f"{path}status": Invoice.Status.ISSUED, f"{path}due_on__lt": today})


class InvoiceLine(models.Model):
    class TaxCategory(models.TextChoices):
        OUTSIDE = "outside", _("outside consumption tax")
        EXEMPT = "exempt", _("tax exempt")
        STANDARD = "standard", _("10%")
        REDUCED = "reduced", _("8% (reduced rate)")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.PositiveIntegerField(_("unit price (yen)"))
    tax_category = models.CharField(_("tax category"), max_length=10, choices=TaxCategory.choices)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["pk"]

    def __str__(self):
        return self.description

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


class DuesRun(models.Model):
    """One "issue invoices for FY N" started by the secretariat; progress lives here."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    targeted = models.PositiveIntegerField(_("organisations to invoice"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    created = models.PositiveIntegerField(_("invoices created"), default=0)

    class Meta:
        verbose_name = _("dues run")
        verbose_name_plural = _("dues runs")
        ordering = ["-started_at"]

    def __str__(self):
        return _("Dues run FY%(year)d") % {"year": self.fiscal_year}


class Payment(models.Model):
    """Money received from an organisation; allocations say which invoices it pays."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("bank transfer")
        TREASURY = "treasury", _("treasury transfer (国庫金振込)")
        CASH = "cash", _("cash")
        OTHER = "other", _("other")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    received_on = models.DateField(_("received on"))
    amount = models.PositiveIntegerField(_("amount (yen)"))
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, default=Method.TRANSFER
    )
    payer_name = models.CharField(_("payer name"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return f"{self.organisation} {self.received_on} {self.amount:,}"


class Allocation(models.Model):
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.PositiveIntegerField(_("amount (yen)"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self):
        return f"{self.invoice}: {self.amount:,}"


class WriteOff(models.Model):
    """A small shortfall (typically the bank fee the payer deducted) that is not collected."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="write_offs"
    )
    amount = models.PositiveIntegerField(_("amount (yen)"))
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")

    def __str__(self):
        return f"{self.invoice}: {self.amount:,}"


class Credit(models.Model):
    """Money received that is no longer owed (a fee cancelled in time after it was paid):
    refunded, or set against a later invoice, by the secretariat."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="credits",
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credits"
    )
    amount = models.PositiveIntegerField(_("amount (yen)"))
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    settled_on = models.DateField(_("refunded or set off on"), null=True, blank=True)
    settlement = models.CharField(_("how it was settled"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.organisation} {self.amount:,}"


class StatementImport(models.Model):
    """One uploaded bank statement; a file is imported once (its hash is unique)."""

    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, unique=True)
    file_format = models.CharField(_("format"), max_length=10)
    skipped_lines = models.PositiveIntegerField(
        _("lines seen before"),
        default=0,
        help_text=_("Lines recorded already from an earlier statement, skipped on import."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.file_name


class StatementEntry(models.Model):
    """An incoming transfer from a statement and what became of it."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("matched")
        REVIEW = "review", _("to review")
        UNMATCHED = "unmatched", _("no match")
        IGNORED = "ignored", _("ignored")

    statement = models.ForeignKey(
        StatementImport,
        verbose_name=_("bank statement"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    line_no = models.PositiveIntegerField(_("line"))
    account = models.CharField(_("account"), max_length=40)
    reference = models.CharField(_("reference"), max_length=40)
    booked_on = models.DateField(_("booked on"))
    amount = models.PositiveIntegerField(_("amount (yen)"))
    payer_name = models.CharField(_("payer name"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The payer; set it to confirm an entry to review or without a match."),
    )
    invoices = models.ManyToManyField(Invoice, verbose_name=_("invoices"), blank=True)
    payment = models.OneToOneField(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("statement entry")
        verbose_name_plural = _("statement entries")
        ordering = ["booked_on", "line_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reference", "booked_on", "amount"],
                name="statement_entry_once",
            )
        ]

    def __str__(self):
        return f"{self.booked_on} {self.payer_name} {self.amount:,}"


class PayerAlias(models.Model):
    """A payer name (as its match key) known to belong to an organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="payer_aliases",
    )
    key = models.CharField(_("payer name key"), max_length=100, unique=True)
    example = models.CharField(_("payer name as received"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payer alias")
        verbose_name_plural = _("payer aliases")

    def __str__(self):
        return f"{self.example} → {self.organisation}"


class ReminderRule(models.Model):
    """Remind the payer of an unpaid invoice this many days after its due date."""

    days_after_due = models.PositiveSmallIntegerField(_("days after the due date"), unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["days_after_due"]

    def __str__(self):
        return _("%(days)d days after the due date") % {"days": self.days_after_due}


class ReminderSent(models.Model):
    """Proof that a rule's reminder went out for an invoice; unique, so it is sent once."""

    rule = models.ForeignKey(ReminderRule, verbose_name=_("rule"), on_delete=models.PROTECT)
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.EmailField(_("recipient"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["rule", "invoice"], name="one_reminder_per_rule")
        ]

    def __str__(self):
        return f"{self.invoice} ({self.rule})"
