from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from outbox import webhooks
from portal.views import healthz

admin.site.site_header = settings.SECRETARIAT_NAME
admin.site.site_title = settings.SECRETARIAT_NAME
admin.site.index_title = _("Administration")
# The admin signs in through allauth, so rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The mail provider's webhooks: bounces, complaints, inbound mail (newsletter/bounces.py);
    # only the configured provider's are routed.
    path("anymail/", include((webhooks.routes(settings.MAIL_WEBHOOK_PROVIDER), "anymail"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("members/", include("members.urls")),
    # Dues pages live in the member area, at the addresses their mails link to.
    path("members/", include("dues.urls")),
    path("award/", include("awards.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("surveys/", include("surveys.urls")),
    path("assembly/", include("assemblies.urls")),
    path("proposals/", include("proposals.urls")),
    path("events/", include("events.urls")),
    path("", include("home.urls")),
]
