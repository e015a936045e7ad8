from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "hearth.referrals"
    label = "referrals"

    def ready(self):
        from hearth.platform import periodic

        from . import tasks

        periodic.register("overdue_referrals", tasks.referrals_check_overdue)
