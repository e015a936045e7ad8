from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "hearth.notify"
    label = "notify"

    def ready(self):
        from hearth.platform import periodic, ports

        from . import tasks

        periodic.register("messages", tasks.messages_send_due)
        ports.home_contribute(_home_notices)

def _home_notices(user) -> dict:
    from .services import notices_for

    return {"notices": notices_for(user)[:10]}
