"""The static files storage in production (settings.STORAGES, when DEBUG is off)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's, with the URL of each name looked up once per process: the manifest
    does not change under a running process (collectstatic comes with a deploy, which
    restarts it), and every page asks for the same files on every request (the admin for
    about twenty, each lookup cleaning, hashing and joining the name anew)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url
