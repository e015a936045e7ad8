from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "hearth.staff"
    label = "staff"
    verbose_name = "Hearth staff pages"

    def ready(self):
        from hearth.platform import permissions as platform_perms
        from hearth.platform import ports

        # The staff home page's menu: the links to this app's pages (the permissions are the kernel's).
        for order, permission, label, url_name in [
            (40, platform_perms.MANAGE_MEMBERS, "Members of your agency", "platform:member_list"),
            (100, platform_perms.VIEW_AUDIT, "Search the audit", "platform:audit_search"),
            (110, platform_perms.REVIEW_BREAK_GLASS, "Break-glass access to review", "platform:break_glass_list"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
