from .navigation import areas_for


def navigation(request):
    return {"nav_areas": areas_for(request.user, request.path)}
