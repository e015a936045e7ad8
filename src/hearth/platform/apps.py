from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "hearth.platform"
    label = "platform"
    verbose_name = "Hearth platform"

    def ready(self):
        from . import (
            access,
            checks,  # noqa: F401 - registers the system checks
            periodic,
            permissions,
            ports,
            tasks,
        )

        access.register(*permissions.ALL)

        # The staff home page's menu: this app's links.
        for order, permission, label, url_name in [
            (40, permissions.MANAGE_MEMBERS, "Members of your agency", "platform:member_list"),
            (100, permissions.VIEW_AUDIT, "Search the audit", "platform:audit_search"),
            (110, permissions.REVIEW_BREAK_GLASS, "Break-glass access to review", "platform:break_glass_list"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
        # Last in every round: it seals the audit rows the other checks wrote.
        periodic.register("audit_checkpoint", tasks.audit_checkpoint, order=1000)
