from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from hearth.platform import audit
from hearth.platform import permissions as platform_perms
from hearth.platform.models import AuditAction
from hearth.platform.policy import requires, signed_in

from .selectors import outbox as outbox_messages
from .services import notices_for, notices_mark_read


@signed_in
def notice_list(request):
    notices = list(notices_for(request.user)[:100])
    # Shown is read: mark them after rendering the list as it was.
    unread = [n.pk for n in notices if n.read_at is None]
    response = render(request, "notify/notice_list.html", {"notices": notices})
    if unread:
        notices_mark_read(request.user, unread)
    return response


@requires(platform_perms.MANAGE_PARTNERSHIP)
def outbox(request):
    """What Hearth would have sent, in development and the demo (no Notify key). Never in production."""
    if not settings.DEMO_MODE:
        raise Http404
    audit.record(AuditAction.LIST, object_type="notify.outboundmessage")
    return render(request, "notify/outbox.html", {"messages_sent": outbox_messages()})
