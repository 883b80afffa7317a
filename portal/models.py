from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FailedTask(models.Model):
    """A Celery task that ended in an exception, one row per task id (portal/failures.py).

    A later failure of the same id (a retry from the admin, a redelivered message) counts up
    and reopens the row. The secretariat reads them in the admin and marks them resolved.
    """

    task_id = models.CharField(_("task id"), max_length=255, unique=True)
    name = models.CharField(_("task"), max_length=255, db_index=True)
    args_repr = models.TextField(_("arguments"), blank=True)
    kwargs_repr = models.TextField(_("keyword arguments"), blank=True)
    # The arguments as sent (JSON), kept to send the task again; None when too large.
    args = models.JSONField(_("arguments (JSON)"), null=True, blank=True)
    kwargs = models.JSONField(_("keyword arguments (JSON)"), null=True, blank=True)
    exception = models.TextField(_("exception"))
    traceback = models.TextField(_("traceback"), blank=True)
    request_id = models.CharField(_("request id"), max_length=128, blank=True, db_index=True)
    first_failed_at = models.DateTimeField(_("first failure"), auto_now_add=True)
    last_failed_at = models.DateTimeField(_("last failure"), db_index=True)
    count = models.PositiveIntegerField(_("failures"), default=1)
    resolved = models.BooleanField(_("resolved"), default=False, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    retried_at = models.DateTimeField(_("last sent again"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")
        ordering = ["resolved", "-last_failed_at", "-pk"]

    def __str__(self):
        return f"{self.name} [{self.task_id}]"

    @property
    def can_retry(self) -> bool:
        return self.args is not None and self.kwargs is not None
