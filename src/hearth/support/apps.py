from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "hearth.support"
    label = "support"

    def ready(self):
        from hearth.platform import access

        from . import permissions

        access.register(*permissions.ALL)
