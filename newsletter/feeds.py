from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Issue
from .rendering import markdown_to_html


class ArchiveFeed(Feed):
    """Public issues only: a feed reader is anonymous."""

    feed_type = Atom1Feed
    title = _("Innovation Net newsletter")
    subtitle = _("Issues of the Innovation Net mail magazine")
    link = reverse_lazy("newsletter:index")

    def items(self):
        return (
            Issue.objects.published()
            .filter(visibility=Issue.Visibility.PUBLIC)
            .order_by("-sent_at")[:30]
        )

    def item_title(self, item):
        return item.subject

    def item_description(self, item):
        return markdown_to_html(item.body)

    def item_link(self, item):
        return reverse("newsletter:issue", args=[item.pk])

    def item_pubdate(self, item):
        return item.sent_at
