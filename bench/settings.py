"""The portal's settings for the bench's gunicorn (bench/web.py): the same, from the same
environment, with bench/urls.py as the URLconf so that the floor view stays out of the
production URLs."""

from innonet.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
