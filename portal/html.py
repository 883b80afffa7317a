from django.utils.html import format_html


def links(*pairs) -> str:
    """Safe HTML for (url, label) pairs joined by " · ", for admin read-only fields."""
    return format_html(
        " · ".join(["<a href='{}'>{}</a>"] * len(pairs)),
        *[value for url, label in pairs for value in (url, label)],
    )
