from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("person/<int:survivor_id>/", views.person_risk, name="person_risk"),
    path("person/<int:survivor_id>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("person/<int:survivor_id>/reported/new/", views.reported_new, name="reported_new"),
    path("person/<int:survivor_id>/allocate/", views.allocate, name="allocate"),
    path("person/<int:survivor_id>/plan/", views.safety_plan, name="safety_plan"),
    path("person/<int:survivor_id>/plan/change/", views.safety_plan_change, name="safety_plan_change"),
    path("person/<int:survivor_id>/plan/print/", views.safety_plan_print, name="safety_plan_print"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:assessment_id>/change/", views.assessment_change, name="assessment_change"),
    path("tools/", views.tool_list, name="tool_list"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/<int:risk_allocation_id>/end/", views.allocation_end, name="allocation_end"),
    path("children/without-school/", views.children_without_school, name="children_without_school"),
    path("children/<int:survivor_id>/", views.child, name="child"),
    path("children/<int:survivor_id>/change/", views.child_change, name="child_change"),
    path("children/<int:survivor_id>/notify-school/", views.child_notify_school, name="child_notify_school"),
    path("school/", views.school_inbox, name="school_inbox"),
    path("school/<int:school_notification_id>/acknowledge/", views.school_acknowledge, name="school_acknowledge"),
]
