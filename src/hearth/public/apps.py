from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "hearth.public"
    label = "public"

    def ready(self):
        from hearth.platform import access, ports

        from . import permissions

        access.register(*permissions.ALL)

        # The staff home page's menu: this app's links.
        for order, permission, label, url_name in [
            (80, permissions.EDIT_HELP, "Public help pages: text and languages", "public_admin:help_text_list"),
            (90, permissions.REVIEW_HELD, "Self-referrals held back", "public_admin:held_list"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
