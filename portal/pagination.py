from django.core.paginator import Page, Paginator


def paginate(request, items, per_page: int) -> dict:
    """The context partials/pagination.html needs: the page, and the other GET parameters."""
    page: Page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}
