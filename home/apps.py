from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The pages that bring the apps together: home page, dashboard, menu, and `seed_demo`."""

    name = "home"
