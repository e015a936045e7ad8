from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "hearth.directory"
    label = "directory"

    def ready(self):
        from hearth.platform import access

        from . import permissions

        access.register(*permissions.ALL)
