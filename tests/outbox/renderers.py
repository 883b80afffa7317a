"""A renderer for engine tests: the engine only needs a function of (mailing, delivery)."""

from django.core.mail import EmailMessage

from outbox import renderers

GREETING = "tests.greeting"


def greeting(mailing, delivery):
    return EmailMessage(
        subject=f"【{mailing.name}】ご案内",
        body=f"{delivery.name}様\n\nイノベーションネットからのお知らせです。\n",
        to=[delivery.address],
    )


renderers.register(GREETING, greeting)
