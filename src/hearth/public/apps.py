from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "hearth.public"
    label = "public"

    def ready(self):
        from hearth.platform import access

        from . import permissions

        access.register(*permissions.ALL)
