from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "hearth.risk"
    label = "risk"

    def ready(self):
        from hearth.platform import access

        from . import permissions

        access.register(*permissions.ALL)
