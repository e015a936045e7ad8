from django.urls import path

from . import views

app_name = "marac"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refer/<int:survivor_id>/", views.refer, name="refer"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:marac_meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:marac_meeting_id>/list/", views.meeting_list_case, name="meeting_list_case"),
    path("meetings/<int:marac_meeting_id>/publish/", views.meeting_publish, name="meeting_publish"),
    path("meetings/<int:marac_meeting_id>/minute/", views.meeting_minute, name="meeting_minute"),
    path("cases/<int:marac_case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:marac_case_id>/research/", views.research_return, name="research_return"),
    path("cases/<int:marac_case_id>/actions/new/", views.action_new, name="action_new"),
    path("actions/<int:marac_action_id>/", views.action_update, name="action_update"),
]
