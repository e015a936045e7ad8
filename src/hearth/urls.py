from django.urls import include, path

urlpatterns = [
    path("", include("hearth.platform.urls")),
    path("people/", include("hearth.people.urls")),
    path("referrals/", include("hearth.referrals.urls")),
    path("notices/", include("hearth.notify.urls")),
    path("risk/", include("hearth.risk.urls")),
    path("marac/", include("hearth.marac.urls")),
    path("support/", include("hearth.support.urls")),
    path("directory/", include("hearth.directory.urls")),
    path("help/", include("hearth.public.urls")),
    path("api/", include("hearth.api.urls")),
]

handler400 = "hearth.platform.views.errors.bad_request"
handler403 = "hearth.platform.views.errors.permission_denied"
handler404 = "hearth.platform.views.errors.page_not_found"
handler500 = "hearth.platform.views.errors.server_error"
