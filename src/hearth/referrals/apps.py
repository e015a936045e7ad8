from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "hearth.referrals"
    label = "referrals"

    def ready(self):
        from hearth.platform import access, periodic, ports
        from hearth.platform import permissions as platform_perms

        from . import permissions, tasks

        access.register(*permissions.ALL)

        # The staff home page's menu: this app's links.
        for order, permission, label, url_name in [
            (30, permissions.VIEW_REFERRALS, "Referrals inbox", "referrals:inbox"),
            (50, platform_perms.MANAGE_MEMBERS, "Referral response targets", "referrals:response_targets"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
        periodic.register("overdue_referrals", tasks.referrals_check_overdue)
