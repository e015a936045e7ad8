"""The staff pages' URLs.

Mounted together with the kernel's own URLs under the ``platform`` namespace (``hearth/urls.py``):
the names (``platform:sign_in``, ``platform:home`` …) predate this app, and links, redirects and
the access matrix all use them.
"""

from django.urls import path

from .views import auth, dpo, home, members

urlpatterns = [
    path("home/", home.home, name="home"),
    path("sign-in/", auth.sign_in, name="sign_in"),
    path("sign-in/code/", auth.second_factor, name="second_factor"),
    path("sign-in/set-up-code/", auth.second_factor_enrol, name="second_factor_enrol"),
    path("sign-in/agency/", auth.choose_agency, name="choose_agency"),
    path("sign-out/", auth.sign_out, name="sign_out"),
    path("signed-out/", auth.timed_out, name="timed_out"),
    path("account/", auth.account, name="account"),
    path("keep-alive/", auth.keep_alive, name="keep_alive"),
    path("members/", members.member_list, name="member_list"),
    path("members/add/", members.member_add, name="member_add"),
    path("members/<int:membership_id>/", members.member_edit, name="member_edit"),
    path("audit/", dpo.audit_search, name="audit_search"),
    path("break-glass/", dpo.break_glass_list, name="break_glass_list"),
    path("break-glass/<int:grant_id>/", dpo.break_glass_review, name="break_glass_review"),
]
