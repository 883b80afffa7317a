"""Bank statement import: payers matched to invoices by kana name and amount.

Sure matches are recorded as payments at once; unsure ones wait for the secretariat in
the review queue (StatementEntry with status "review"), and each confirmation teaches a
payer alias so that the same payer matches surely next time.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import Organisation
from portal import kana

from . import bankfiles, services
from .models import (
    Invoice,
    Issuer,
    PayerAlias,
    Payment,
    StatementEntry,
    StatementImport,
)

# Below this name similarity (Dice over kana bigrams) no organisation is suggested.
SUGGESTION_THRESHOLD = 0.5


@dataclass
class Match:
    organisation: Organisation | None
    invoices: list
    sure: bool
    note: str = ""


class _Payers:
    """Match keys of every organisation's names and of learnt aliases, loaded once."""

    def __init__(self):
        self.by_key: dict[str, int] = {}
        for pk, name, name_kana in Organisation.objects.values_list("pk", "name", "name_kana"):
            for text in (name, name_kana):
                if text:
                    self.by_key.setdefault(kana.match_key(text), pk)
        self.aliases = dict(PayerAlias.objects.values_list("key", "organisation_id"))

    def organisation_for(self, payer_name: str) -> tuple[int | None, bool]:
        """(organisation id, known for sure) for a payer name."""
        key = kana.match_key(payer_name)
        if key in self.aliases:
            return self.aliases[key], True
        if key in self.by_key:
            return self.by_key[key], True
        best = max(
            self.by_key.items(), key=lambda item: kana.similarity(key, item[0]), default=None
        )
        if best and kana.similarity(key, best[0]) >= SUGGESTION_THRESHOLD:
            return best[1], False
        return None, False


def _open_invoices(organisation_id: int) -> list[tuple[Invoice, int]]:
    invoices = Invoice.objects.filter(
        organisation_id=organisation_id, status=Invoice.Status.ISSUED
    ).order_by("issued_on", "number")
    return [(invoice, services.outstanding(invoice)) for invoice in invoices]


def match(line: bankfiles.StatementLine, payers: _Payers, fee_limit: int) -> Match:
    organisation_id, known = payers.organisation_for(line.payer_name)
    if organisation_id is None:
        return Match(None, [], False, _("No organisation has a similar name."))
    organisation = Organisation.objects.get(pk=organisation_id)
    open_invoices = _open_invoices(organisation_id)
    exact = [invoice for invoice, due in open_invoices if due == line.amount]
    if exact:
        return Match(organisation, exact[:1], known)
    total_due = sum(due for _invoice, due in open_invoices)
    if open_invoices and total_due == line.amount:
        return Match(organisation, [invoice for invoice, _due in open_invoices], known)
    short = [inv for inv, due in open_invoices if 0 < due - line.amount <= fee_limit]
    if short:
        return Match(
            organisation,
            short[:1],
            False,
            _("Short by %(yen)s yen: a bank fee? Confirm and write off the rest.")
            % {"yen": f"{(services.outstanding(short[0]) - line.amount):,}"},
        )
    return Match(organisation, [], False, _("No open invoice of this amount."))


def _record(entry: StatementEntry, organisation, invoices, user) -> None:
    entry.payment = services.record_payment(
        organisation=organisation,
        received_on=entry.booked_on,
        amount=entry.amount,
        method=Payment.Method.TRANSFER,
        invoices=invoices or None,
        payer_name=entry.payer_name,
        note=_("Bank statement %(file)s, line %(line)d")
        % {"file": entry.statement.file_name, "line": entry.line_no},
        user=user,
    )
    entry.organisation = organisation
    entry.status = StatementEntry.Status.MATCHED
    entry.save(update_fields=["payment", "organisation", "status"])


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)


def _storage_problems(lines: list[bankfiles.StatementLine]) -> list[tuple[int, str]]:
    """(line number, reason) for every value a statement entry cannot hold: a parser reads
    what the bank wrote, this says what the portal keeps, so nothing fails half-way."""
    fields = {
        name: StatementEntry._meta.get_field(name)
        for name in ("account", "reference", "payer_name")
    }
    largest = 2**31 - 1  # PositiveIntegerField
    problems = []
    for line in lines:
        if line.amount > largest:
            problems.append(
                (
                    line.line_no,
                    _("%(field)s is larger than %(limit)s")
                    % {"field": _("amount"), "limit": f"{largest:,}"},
                )
            )
        for name, model_field in fields.items():
            value = getattr(line, name)
            if _has_control_characters(value):
                problems.append(
                    (
                        line.line_no,
                        _("%(field)s contains control characters")
                        % {"field": model_field.verbose_name},
                    )
                )
            elif len(value) > model_field.max_length:
                problems.append(
                    (
                        line.line_no,
                        _("%(field)s is longer than %(limit)d characters")
                        % {"field": model_field.verbose_name, "limit": model_field.max_length},
                    )
                )
    return problems


def _stored_name(file_name: str) -> str:
    """The upload's name as kept: no control characters, cut to fit, the suffix kept."""
    name = "".join(c for c in file_name if not _has_control_characters(c)).strip() or "statement"
    limit = StatementImport._meta.get_field("file_name").max_length
    suffix = PurePath(name).suffix[:10]
    return name if len(name) <= limit else name[: limit - len(suffix)] + suffix


def _key(line) -> tuple:
    """What makes a line the same transfer in any statement (and StatementEntry unique)."""
    return (line.account, line.reference, line.booked_on, line.amount)


def _seen_before(lines: list[bankfiles.StatementLine]) -> dict[tuple, str]:
    """The lines of `lines` already recorded, each with the file it came from."""
    if not lines:
        return {}
    dates = [line.booked_on for line in lines]
    recorded = StatementEntry.objects.filter(
        booked_on__range=(min(dates), max(dates))
    ).values_list("account", "reference", "booked_on", "amount", "statement__file_name")
    wanted = {_key(line) for line in lines}
    seen = {}
    for account, reference, booked_on, amount, name in recorded:
        key = (account, reference, booked_on, amount)
        if key in wanted:
            seen[key] = name
    return seen


def import_statement(data: bytes, file_name: str, user) -> StatementImport:
    """Import a whole file or nothing. Lines recorded already (from an earlier statement that
    overlaps this one, or the same statement saved again) are skipped and counted in
    `skipped_lines`; a file that brings nothing new, or the very same file, is refused."""
    digest = hashlib.sha256(data).hexdigest()
    earlier = StatementImport.objects.filter(file_sha256=digest).first()
    if earlier is not None:
        raise ValidationError(
            _("This file was imported already on %(date)s (%(name)s).")
            % {"date": f"{earlier.uploaded_at:%Y-%m-%d}", "name": earlier.file_name}
        )
    file_format = bankfiles.detect_format(data)
    try:
        lines = bankfiles.PARSERS[file_format](data)
        problems = _storage_problems(lines)
        if problems:
            raise bankfiles.StatementError(problems)
    except bankfiles.StatementError as error:
        raise ValidationError(
            [
                _("Line %(line)d: %(reason)s") % {"line": line_no, "reason": reason}
                for line_no, reason in error.errors
            ]
        ) from error
    seen = _seen_before(lines)
    if lines and len(seen) == len({_key(line) for line in lines}):
        raise ValidationError(
            ngettext(
                "The %(count)d line of this file was imported already (from %(files)s): "
                "there is nothing new to import.",
                "All %(count)d lines of this file were imported already (from %(files)s): "
                "there is nothing new to import.",
                len(lines),
            )
            % {"count": len(lines), "files": ", ".join(sorted(set(seen.values())))}
        )
    file_name = _stored_name(file_name)
    payers = _Payers()
    fee_limit = Issuer.objects.get().write_off_limit
    with transaction.atomic():
        statement = StatementImport.objects.create(
            file_name=file_name, file_sha256=digest, file_format=file_format, uploaded_by=user
        )
        done = set(seen)
        for line in lines:
            if _key(line) in done:
                statement.skipped_lines += 1
                continue
            done.add(_key(line))
            found = match(line, payers, fee_limit)
            entry = StatementEntry.objects.create(
                statement=statement,
                line_no=line.line_no,
                account=line.account,
                reference=line.reference,
                booked_on=line.booked_on,
                amount=line.amount,
                payer_name=line.payer_name,
                organisation=found.organisation,
                note=found.note,
                status=(
                    StatementEntry.Status.MATCHED
                    if found.sure
                    else StatementEntry.Status.REVIEW
                    if found.organisation
                    else StatementEntry.Status.UNMATCHED
                ),
            )
            entry.invoices.set(found.invoices)
            if found.sure:
                _record(entry, found.organisation, found.invoices, user)
        statement.save(update_fields=["skipped_lines"])
    return statement


@transaction.atomic
def confirm(entry: StatementEntry, user) -> None:
    """Accept the entry's organisation (and invoices, if chosen) and remember the payer."""
    entry = StatementEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.payment_id or entry.organisation_id is None:
        raise ValidationError(_("Only an unpaid entry with an organisation can be confirmed."))
    _record(entry, entry.organisation, list(entry.invoices.all()), user)
    PayerAlias.objects.update_or_create(
        key=kana.match_key(entry.payer_name),
        defaults={"organisation": entry.organisation, "example": entry.payer_name},
    )
