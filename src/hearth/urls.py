from django.urls import include, path

urlpatterns = [
    path("", include("hearth.platform.urls")),
    path("people/", include("hearth.people.urls")),
    path("referrals/", include("hearth.referrals.urls")),
    path("notices/", include("hearth.notify.urls")),
]

handler400 = "hearth.platform.views.errors.bad_request"
handler403 = "hearth.platform.views.errors.permission_denied"
handler404 = "hearth.platform.views.errors.page_not_found"
handler500 = "hearth.platform.views.errors.server_error"
