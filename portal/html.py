import markdown
import nh3
from django.utils.html import format_html


def markdown_to_html(text: str) -> str:
    """Markdown written by staff to HTML that keeps no script, event handler, style or
    foreign frame: the one way the portal renders it (newsletter.rendering imports it)."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return nh3.clean(html, url_schemes={"http", "https", "mailto"}, link_rel="noopener")


def links(*pairs) -> str:
    """Safe HTML for (url, label) pairs joined by " · ", for admin read-only fields."""
    return format_html(
        " · ".join(["<a href='{}'>{}</a>"] * len(pairs)),
        *[value for url, label in pairs for value in (url, label)],
    )
