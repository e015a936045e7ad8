from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "hearth.platform"
    label = "platform"
    verbose_name = "Hearth platform"

    def ready(self):
        from . import (
            access,
            checks,  # noqa: F401 - registers the system checks
            permissions,
        )

        access.register(*permissions.ALL)
