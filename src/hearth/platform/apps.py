from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "hearth.platform"
    label = "platform"
    verbose_name = "Hearth platform"

    def ready(self):
        from . import (
            access,
            checks,  # noqa: F401 - registers the system checks
            periodic,
            permissions,
            tasks,
        )

        access.register(*permissions.ALL)

        # Last in every round: it seals the audit rows the other checks wrote.
        periodic.register("audit_checkpoint", tasks.audit_checkpoint, order=1000)
