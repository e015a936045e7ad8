from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hearth.api"
    label = "api"

    def ready(self):
        from hearth.platform import access, ports

        from . import permissions

        access.register(*permissions.ALL)

        # The staff home page's menu: this app's links.
        for order, permission, label, url_name in [
            (60, permissions.MANAGE_TOKENS, "Partner-system tokens", "api:token_list"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
