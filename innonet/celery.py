"""The Celery application; tasks live in each app's tasks.py and take ids, not objects.

Infrastructure hooks (no business logic): a starting worker resumes mailings, the worker
logs through Django's LOGGING (JSON in production), a task enqueued during a request carries
the request id in a message header and the worker's log lines show it, and a task that
fails is recorded for the secretariat (portal.models.FailedTask, in the admin).
"""

import os

from celery import Celery, signals

from portal import failures
from portal import logging as portal_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innonet.settings")

app = Celery("innonet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect(weak=False)
def use_django_logging(**kwargs):
    """Celery leaves logging alone when this signal has a receiver: Django's LOGGING (the
    same formatters as the web process) applies to the worker and beat."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.worker_ready.connect(weak=False)
def resume_mailings_on_start(**kwargs):
    """A worker that starts (after a crash or a deploy) takes up mailings at once: the tasks
    of a worker that was killed stay invisible in the broker until its visibility timeout,
    and beat's resume comes only once a minute."""
    from outbox.tasks import resume_mailings

    resume_mailings.delay()


signals.before_task_publish.connect(portal_logging.add_request_id_header, weak=False)
signals.task_prerun.connect(portal_logging.enter_task, weak=False)
signals.task_postrun.connect(portal_logging.leave_task, weak=False)
signals.task_failure.connect(failures.on_task_failure, weak=False)
signals.task_success.connect(failures.on_task_success, weak=False)
