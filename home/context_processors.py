from django.utils.functional import SimpleLazyObject

from .navigation import areas_for


def navigation(request):
    # Lazy: the admin's pages, which have a menu of their own, never build this one.
    return {"nav_areas": SimpleLazyObject(lambda: areas_for(request.roles, request.path))}
