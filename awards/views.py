from django.shortcuts import render

from accounts.permissions import require


@require("awards.view")
def index(request):
    return render(request, "awards/index.html")
