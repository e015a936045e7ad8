from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "hearth.people"
    label = "people"

    def ready(self):
        from hearth.platform import access, ports

        from . import permissions

        access.register(*permissions.ALL)

        # The staff home page's menu: this app's links.
        for order, permission, label, url_name in [
            (10, permissions.ADD_PERSON, "Record a person", "people:person_create"),
            (20, permissions.VIEW_PERSON, "People your agency works with", "people:person_list"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
