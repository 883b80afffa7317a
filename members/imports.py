"""The initial member list: read from CSV or Excel, checked whole, written all or nothing.

A row is checked by a plain form against reference data loaded once, so a file of any
length costs a fixed number of queries; problems are reported by row and column.
"""

import uuid
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from portal.formfields import KatakanaField, PhoneField, PostalCodeField
from portal.prefectures import prefecture_lookup
from portal.tabular import Rejected, problem, read_rows
from portal.uploads import safe_name
from portal.validators import validate_name

from . import fiscal, services
from .models import (
    Membership,
    MembershipClass,
    MembershipYear,
    Organisation,
    OrganisationImport,
    OrganisationKind,
    Person,
    PersonRole,
    RegionalBlock,
)
from .validators import validate_corporate_number


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Japanese header of the template; the key is accepted too
    required: bool = False


COLUMNS = [
    Column("name", "法人名", required=True),
    Column("name_kana", "法人名カナ"),
    Column("short_name", "略称"),
    Column("name_en", "英語名"),
    Column("kind", "種別", required=True),
    Column("membership_class", "会員区分", required=True),
    Column("joined_on", "入会日"),
    Column("units", "口数"),
    Column("corporate_number", "法人番号"),
    Column("postal_code", "郵便番号"),
    Column("prefecture", "都道府県", required=True),
    Column("address", "住所"),
    Column("phone", "電話番号"),
    Column("website", "ウェブサイト"),
    Column("block", "地域ブロック", required=True),
    Column("contact_family_name", "担当者姓"),
    Column("contact_given_name", "担当者名"),
    Column("contact_family_name_kana", "担当者姓カナ"),
    Column("contact_given_name_kana", "担当者名カナ"),
    Column("contact_department", "担当者部署"),
    Column("contact_title", "担当者役職"),
    Column("contact_email", "担当者メール"),
    Column("contact_phone", "担当者電話番号"),
]
HEADERS = {column.key: column.header for column in COLUMNS}
CONTACT_FIELDS = [column.key for column in COLUMNS if column.key.startswith("contact_")]
MAX_ROWS = 5000


def _column_keys(header_row: list[str]) -> list[str | None]:
    by_name = {column.header: column.key for column in COLUMNS}
    by_name.update({column.key: column.key for column in COLUMNS})
    keys = [by_name.get(name) for name in header_row]
    missing = [column.header for column in COLUMNS if column.required and column.key not in keys]
    unknown = [name for name, key in zip(header_row, keys, strict=True) if name and key is None]
    problems = [problem(1, name, _("This column is required but missing.")) for name in missing]
    problems += [problem(1, name, _("Unknown column; see the template.")) for name in unknown]
    if problems:
        raise Rejected(problems)
    return keys


# --- Checking ------------------------------------------------------------------------------


class RowForm(forms.Form):
    """One row; names of kinds, classes, blocks and prefectures are matched in clean()."""

    name = forms.CharField(max_length=200, validators=[validate_name])
    name_kana = KatakanaField(max_length=200, required=False, validators=[validate_name])
    short_name = forms.CharField(max_length=100, required=False, validators=[validate_name])
    name_en = forms.CharField(max_length=200, required=False, validators=[validate_name])
    kind = forms.CharField()
    membership_class = forms.CharField()
    joined_on = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"])
    units = forms.IntegerField(required=False, min_value=1, max_value=100)
    corporate_number = forms.CharField(required=False, validators=[validate_corporate_number])
    postal_code = PostalCodeField(required=False)
    prefecture = forms.CharField()
    address = forms.CharField(max_length=300, required=False)
    phone = PhoneField(max_length=30, required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    block = forms.CharField()
    contact_family_name = forms.CharField(
        max_length=50, required=False, validators=[validate_name]
    )
    contact_given_name = forms.CharField(max_length=50, required=False, validators=[validate_name])
    contact_family_name_kana = KatakanaField(
        max_length=50, required=False, validators=[validate_name]
    )
    contact_given_name_kana = KatakanaField(
        max_length=50, required=False, validators=[validate_name]
    )
    contact_department = forms.CharField(max_length=100, required=False)
    contact_title = forms.CharField(max_length=100, required=False)
    contact_email = forms.EmailField(required=False)
    contact_phone = PhoneField(max_length=30, required=False)

    def __init__(self, *args, lookups, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookups = lookups

    def _match(self, field: str, message):
        value = self.cleaned_data.get(field)
        if value is None:
            return
        found = self.lookups[field].get(value.casefold())
        if found is None:
            self.add_error(field, message % {"value": value})
        else:
            self.cleaned_data[field] = found

    def clean(self):
        self._match("kind", gettext_lazy("Unknown kind “%(value)s”."))
        self._match("membership_class", gettext_lazy("Unknown membership class “%(value)s”."))
        self._match("block", gettext_lazy("Unknown regional block “%(value)s”."))
        self._match("prefecture", gettext_lazy("Unknown prefecture “%(value)s”."))
        membership_class, units = self.cleaned_data.get("membership_class"), None
        if isinstance(membership_class, MembershipClass) and membership_class.has_units:
            units = self.cleaned_data.get("units") or membership_class.minimum_units
            if units < membership_class.minimum_units:
                self.add_error(
                    "units",
                    _("%(class)s members have at least %(minimum)d units.")
                    % {"class": membership_class, "minimum": membership_class.minimum_units},
                )
        self.cleaned_data["units"] = units
        contact = [self.cleaned_data.get(field) for field in CONTACT_FIELDS]
        if any(contact):
            for field in ("contact_family_name", "contact_given_name"):
                if not self.cleaned_data.get(field):
                    self.add_error(field, _("A contact needs a family and a given name."))
        return self.cleaned_data


def _lookups() -> dict[str, dict]:
    """Names (Japanese, English, code) to objects, case-insensitive, loaded once."""

    def by_names(objects, *attributes):
        table = {}
        for obj in objects:
            for attribute in attributes:
                if getattr(obj, attribute, ""):
                    table[getattr(obj, attribute).casefold()] = obj
        return table

    return {
        "kind": by_names(OrganisationKind.objects.all(), "name", "name_en"),
        "membership_class": by_names(MembershipClass.objects.all(), "name", "name_en", "code"),
        "block": by_names(RegionalBlock.objects.all(), "name", "name_en"),
        "prefecture": prefecture_lookup(),
    }


def check(rows: list[list[str]]) -> list[dict]:
    """Every row's cleaned data; Rejected with all the problems if any row is wrong."""
    if not rows or not any(rows[0]):
        raise Rejected([problem(0, "", _("The file is empty."))])
    if len(rows) - 1 > MAX_ROWS:
        raise Rejected(
            [problem(0, "", _("Import at most %(max)d rows at once.") % {"max": MAX_ROWS})]
        )
    keys = _column_keys(rows[0])
    lookups = _lookups()
    taken_names = set(Organisation.objects.values_list("name", flat=True))
    taken_numbers = set(
        Organisation.objects.exclude(corporate_number="").values_list(
            "corporate_number", flat=True
        )
    )
    problems, cleaned = [], []
    for number, values in enumerate(rows[1:], start=2):
        if not any(values):
            continue  # blank lines at the end of a spreadsheet
        data = {key: value for key, value in zip(keys, values, strict=False) if key}
        form = RowForm(data, lookups=lookups)
        if not form.is_valid():
            for field, messages in form.errors.items():
                problems += [problem(number, HEADERS.get(field, ""), m) for m in messages]
            continue
        row = form.cleaned_data
        if row["name"] in taken_names:
            problems.append(
                problem(number, HEADERS["name"], _("This organisation is registered already."))
            )
        if row["corporate_number"] and row["corporate_number"] in taken_numbers:
            problems.append(
                problem(
                    number, HEADERS["corporate_number"], _("This number is registered already.")
                )
            )
        taken_names.add(row["name"])
        if row["corporate_number"]:
            taken_numbers.add(row["corporate_number"])
        cleaned.append(row)
    if problems:
        raise Rejected(problems)
    if not cleaned:
        raise Rejected([problem(0, "", _("The file has a header but no organisations."))])
    return cleaned


# --- Writing -------------------------------------------------------------------------------

ORGANISATION_FIELDS = [
    "name", "name_kana", "short_name", "name_en", "kind", "corporate_number", "postal_code",
    "prefecture", "address", "phone", "website", "block",
]  # fmt: skip


def _write(rows: list[dict]) -> int:
    today = timezone.localdate()
    fiscal_year = fiscal.current_fiscal_year()
    organisations = []
    for row in rows:
        organisation = Organisation(**{field: row[field] for field in ORGANISATION_FIELDS})
        organisation.derive_fields()
        organisations.append(organisation)
    organisations = bulk_create_with_history(organisations, Organisation)
    memberships, years, people = [], [], []
    for row, organisation in zip(rows, organisations, strict=True):
        membership_class = row["membership_class"]
        memberships.append(
            Membership(
                organisation=organisation,
                membership_class=membership_class,
                joined_on=row["joined_on"] or today,
            )
        )
        years.append(
            MembershipYear(
                organisation=organisation,
                fiscal_year=fiscal_year,
                **services.frozen_year(membership_class, row["units"]),
            )
        )
        if row["contact_family_name"]:
            people.append(
                Person(
                    organisation=organisation,
                    **{field.removeprefix("contact_"): row[field] for field in CONTACT_FIELDS},
                )
            )
    Membership.objects.bulk_create(memberships)
    bulk_create_with_history(years, MembershipYear)
    contacts = bulk_create_with_history(people, Person)
    bulk_create_with_history(
        [
            PersonRole(
                person=person,
                organisation_id=person.organisation_id,
                kind=PersonRole.Kind.PRIMARY,
                starts_on=today,
            )
            for person in contacts
        ],
        PersonRole,
    )
    return len(organisations)


def queue(upload, user) -> OrganisationImport:
    """Store the upload and hand it to a worker once the transaction commits."""
    from .tasks import import_organisations

    # Stored under a random name (the original is only shown): nothing to guess or reach.
    job = OrganisationImport(file_name=safe_name(upload.name), uploaded_by=user)
    job.upload.save(uuid.uuid4().hex, upload, save=False)
    job.save()
    transaction.on_commit(lambda: import_organisations.delay(job.pk))
    return job


def run(import_id: int) -> None:
    """Check and import one queued upload; a second call, or a concurrent one, does nothing."""
    with transaction.atomic():
        job = (
            OrganisationImport.objects.select_for_update(skip_locked=True)
            .filter(pk=import_id, status=OrganisationImport.Status.QUEUED)
            .first()
        )
        if job is None:
            return
        with job.upload.open("rb") as upload:
            content = upload.read()
        try:
            rows = read_rows(content, job.file_name)
            job.rows = sum(1 for row in rows[1:] if any(row))
            job.created = _write(check(rows))
        except Rejected as rejected:
            job.status = OrganisationImport.Status.REJECTED
            job.report = rejected.problems
        else:
            job.status = OrganisationImport.Status.IMPORTED
        job.finished_at = timezone.now()
        job.save()
