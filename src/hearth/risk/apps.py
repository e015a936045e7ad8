from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "hearth.risk"
    label = "risk"

    def ready(self):
        from hearth.platform import access, periodic, ports

        from . import permissions, tasks

        access.register(*permissions.ALL)

        # The staff home page's menu: this app's links.
        for order, permission, label, url_name in [
            (140, permissions.VIEW_CASELOAD, "High-risk caseloads", "risk:caseload"),
            (150, permissions.VIEW_SCHOOL_NOTIFICATIONS, "Notifications about your pupils", "risk:school_inbox"),
            (160, permissions.VIEW_TOOLS, "Risk checklists and their versions", "risk:tool_list"),
        ]:
            ports.home_link(order=order, permission=permission, label=label, url_name=url_name)
        periodic.register("school_notifications", tasks.risk_notify_schools)
