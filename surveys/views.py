from django.shortcuts import render

from accounts.permissions import require


@require("surveys.view_own")
def index(request):
    return render(request, "surveys/index.html")
