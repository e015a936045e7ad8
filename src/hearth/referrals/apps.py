from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "hearth.referrals"
    label = "referrals"

    def ready(self):
        from hearth.platform import access

        from . import permissions

        access.register(*permissions.ALL)
