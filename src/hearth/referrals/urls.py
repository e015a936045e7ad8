from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("response-targets/", views.response_targets, name="response_targets"),
    path("new/for/<int:person_id>/", views.referral_new, name="referral_new"),
    path("<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("<int:referral_id>/accept/", views.referral_accept, name="referral_accept"),
    path("<int:referral_id>/decline/", views.referral_decline, name="referral_decline"),
    path("<int:referral_id>/redirect/", views.referral_redirect, name="referral_redirect"),
    path("<int:referral_id>/start/", views.referral_start, name="referral_start"),
    path("<int:referral_id>/complete/", views.referral_complete, name="referral_complete"),
    path("<int:referral_id>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
]
