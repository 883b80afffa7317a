"""The judging audit trail: every judging action is recorded here, by the service doing it."""

from .models import AuditEvent


def record(edition_id: int, actor, action: str, *, entry=None, round=None, **detail) -> None:
    AuditEvent.objects.create(
        edition_id=edition_id, actor=actor, action=action, entry=entry, round=round, detail=detail
    )
