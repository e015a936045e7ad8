from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hearth.api"
    label = "api"

    def ready(self):
        from hearth.platform import access

        from . import permissions

        access.register(*permissions.ALL)
