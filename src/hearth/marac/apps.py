from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "hearth.marac"
    label = "marac"

    def ready(self):
        from hearth.platform import access, periodic, ports
        from hearth.risk import ports as risk_ports

        from . import for_risk, permissions, tasks

        access.register(*permissions.ALL)

        # The staff home page's menu: this app's links.
        for order, permission, label, url_name in [
            (120, permissions.COORDINATE, "MARAC: referrals, meetings, overdue actions", "marac:dashboard"),
            (130, permissions.ATTEND, "MARAC meetings your agency attends", "marac:meeting_list"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
        risk_ports.marac_plug(for_risk)
        periodic.register("marac_repeats", tasks.marac_flag_repeats)
