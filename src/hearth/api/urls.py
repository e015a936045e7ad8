from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", views.schema, name="schema"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:api_referral_id>/", views.referral_detail, name="referral_detail"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:api_token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
