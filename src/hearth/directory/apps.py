from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "hearth.directory"
    label = "directory"

    def ready(self):
        from hearth.platform import access, ports

        from . import permissions

        access.register(*permissions.ALL)

        # The staff home page's menu: this app's links.
        for order, permission, label, url_name in [
            (70, permissions.MANAGE_DIRECTORY, "Service directory entries", "directory:manage_list"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
