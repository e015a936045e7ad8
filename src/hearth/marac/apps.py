from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "hearth.marac"
    label = "marac"

    def ready(self):
        from hearth.platform import access

        from . import permissions

        access.register(*permissions.ALL)
