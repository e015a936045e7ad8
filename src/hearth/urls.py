from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from hearth.platform import urls as platform_urls
from hearth.staff import urls as staff_urls

urlpatterns = [
    # The kernel's URLs and the staff pages share the "platform" namespace, as before the staff
    # pages had their own app: every reverse("platform:...") keeps working.
    path("", include((platform_urls.urlpatterns + staff_urls.urlpatterns, platform_urls.app_name))),
    path("people/", include("hearth.people.urls")),
    path("referrals/", include("hearth.referrals.urls")),
    path("notices/", include("hearth.notify.urls")),
    path("risk/", include("hearth.risk.urls")),
    path("marac/", include("hearth.marac.urls")),
    path("support/", include("hearth.support.urls")),
    path("directory/", include("hearth.directory.urls")),
    path("help-admin/", include("hearth.public.staff_urls")),
    path("api/directory/", include("hearth.directory.api_urls")),
    path("api/", include("hearth.api.urls")),
]
# The public help site at the root, in English and at /ur/, /pl/, /pa/ (language in the URL, no cookie).
urlpatterns += i18n_patterns(path("", include("hearth.public.urls")), prefix_default_language=False)

handler400 = "hearth.platform.views.errors.bad_request"
handler403 = "hearth.platform.views.errors.permission_denied"
handler404 = "hearth.platform.views.errors.page_not_found"
handler500 = "hearth.platform.views.errors.server_error"
