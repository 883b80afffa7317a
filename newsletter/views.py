from django.shortcuts import render

from accounts.permissions import require


@require("newsletter.view_archive")
def index(request):
    return render(request, "newsletter/index.html")
