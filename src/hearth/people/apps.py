from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "hearth.people"
    label = "people"

    def ready(self):
        from hearth.platform import access

        from . import permissions

        access.register(*permissions.ALL)
