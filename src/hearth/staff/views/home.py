from django.shortcuts import render

from hearth.platform import access, ports
from hearth.platform.policy import signed_in


@signed_in
def home(request):
    user = request.user
    # Each app registers its own links at app-ready (``ports.home_link``): the kernel names none.
    links = [(perm, label, url) for perm, label, url in ports.home_links() if access.may(user, perm)]
    return render(request, "platform/home.html", {
        "links": links,
        **ports.home_context(user),  # notify's unread notices, and what other apps add
    })
