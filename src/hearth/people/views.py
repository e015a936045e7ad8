from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from hearth.people import permissions as people_perms
from hearth.platform import access
from hearth.platform import permissions as platform_perms
from hearth.platform import services as platform_services
from hearth.platform.actions import button_action, form_action, posted
from hearth.platform.policy import record, requires
from hearth.referrals import permissions as referrals_perms

from . import selectors, services
from .forms import BreakGlassForm, IncidentForm, LinkRequestDeclineForm, MatchDecisionForm, PersonForm, SealForm
from .models import InvolvementRole


@requires(people_perms.VIEW_PERSON)
def person_list(request):
    query = request.GET.get("q", "")[:100]
    people = selectors.person_list(actor=request.user, query=query)
    page = Paginator(people, 25).get_page(request.GET.get("page"))
    return render(request, "people/person_list.html", {"page": page, "query": query,
                                                       "may_add": access.may(request.user, people_perms.ADD_PERSON),
                                                       "may_answer_links": access.may(request.user,
                                                                                      people_perms.LINK_PERSON)})


@requires(people_perms.ADD_PERSON, methods=("GET", "POST"))
def person_create(request):
    """Search before create: a valid form first shows the records it may match."""
    form = PersonForm(posted(request), parts=access.ALL_PARTS)
    if request.method != "POST" or not form.is_valid():
        return render(request, "people/person_form.html", {"form": form})
    candidates = selectors.match_candidates(actor=request.user, data=form.cleaned_data)
    offered = {c.choice: c for c in candidates}
    decision_form = MatchDecisionForm(request.POST if "decision" in request.POST or "decided" in request.POST
                                      else None, candidates=candidates)
    if candidates and (not decision_form.is_bound or not decision_form.is_valid()):
        # A search that ends without a record: many of them may be someone probing.
        services.match_probing_check(actor=request.user)
        return render(request, "people/person_matches.html",
                      {"form": form, "decision_form": decision_form, "candidates": candidates})
    decision = decision_form.cleaned_data["decision"] if candidates else "new"
    # Only a record the matcher offered for this very data may be linked to.
    link_to = selectors.match_target(offered[decision]) if decision != "new" else None

    def said(person) -> str:
        if link_to is not None and person.identity_id != link_to.identity_id:
            return ("Person recorded. The agency holding the other record has been asked to confirm "
                    "the link: until they do, the records stay separate.")
        return "Person recorded and linked to their other record." if link_to else "Person recorded."

    return form_action(request, form,
                       lambda data: services.person_create(actor=request.user, link_to=link_to, **data),
                       done=said, redirect_to=_detail_url, template="people/person_form.html")


def _detail_url(person) -> str:
    return reverse("people:person_detail", kwargs={"person_id": person.pk})


@record(people_perms.VIEW_PERSON)
def person_detail(request, person_id):
    view = selectors.person_get(actor=request.user, person_id=person_id)
    return render(request, "people/person_detail.html", {
        "view": view,
        "person": view.person,
        "may_seal": access.may(request.user, people_perms.SEAL_PERSON, view.person),
        "may_record_incident": access.may(request.user, people_perms.RECORD_INCIDENT),
        "may_link": access.may(request.user, people_perms.LINK_PERSON, view.person),
        "may_change": access.may(request.user, people_perms.CHANGE_PERSON, view.person),
        "may_refer": access.may(request.user, referrals_perms.MAKE_REFERRAL),
        "link_requests_waiting": selectors.link_requests_waiting(actor=request.user, person=view.person)
        if access.may(request.user, people_perms.LINK_PERSON, view.person) else 0,
    })


@record(people_perms.CHANGE_PERSON, methods=("GET", "POST"))
def person_edit(request, person_id):
    person, parts = selectors.person_for_change(actor=request.user, person_id=person_id,
                                                shown=PersonForm.declared_parts())
    if not access.may(request.user, people_perms.CHANGE_PERSON, person):
        raise PermissionDenied(people_perms.CHANGE_PERSON)
    # Only the parts the reader may see are in the form: a sealed address, or an address the
    # role never sees, is neither shown nor changed here.
    form = PersonForm(posted(request), parts=parts, record=person)
    return form_action(request, form, lambda data: services.person_update(actor=request.user, person=person, **data),
                       done="Record updated. The earlier details are kept in its history.",
                       redirect_to=_detail_url(person), template="people/person_edit.html",
                       context={"person": person})


@record(people_perms.RECORD_INCIDENT, methods=("GET", "POST"))
def incident_create(request, person_id):
    view = selectors.person_get(actor=request.user, person_id=person_id)
    others, children = selectors.incident_others(actor=request.user, person=view.person)
    form = IncidentForm(posted(request), people=others, children=children)

    def record_incident(data):
        involvements = [(view.person, InvolvementRole.VICTIM)]
        if data["alleged_perpetrator"]:
            involvements.append((data["alleged_perpetrator"], InvolvementRole.ALLEGED_PERPETRATOR))
        involvements += [(child, InvolvementRole.CHILD_PRESENT) for child in data["children"]]
        return services.incident_record(
            actor=request.user, occurred_on=data["occurred_on"], abuse_types=data["abuse_types"],
            involvements=involvements, place=data["place"], children_present=data["children_present"],
            police_reference=data["police_reference"], summary=data["summary"])

    return form_action(request, form, record_incident, done="Incident recorded.",
                       redirect_to=_detail_url(view.person), template="people/incident_form.html",
                       context={"person": view.person})


@record(people_perms.LINK_PERSON, methods=("POST",))
def person_not_same(request, person_id, other_id):
    view = selectors.person_get(actor=request.user, person_id=person_id)
    other = selectors.person_get(actor=request.user, person_id=other_id)
    return button_action(
        request, lambda: services.person_mark_not_same(actor=request.user, person=view.person, other=other.person),
        done="Marked as different people. They will not be suggested as a match again.",
        redirect_to=_detail_url(view.person))


@record(people_perms.LINK_PERSON, methods=("POST",))
def merge_undo(request, merge_id):
    merge = selectors.merge_get(actor=request.user, merge_id=merge_id)
    return button_action(request, lambda: services.identity_merge_undo(actor=request.user, merge=merge),
                         done="The link was undone: the records are separate identities again.",
                         redirect_to="people:person_list")


# Said for a record that does not exist and for one break-glass may not open alike.
CANNOT_BREAK_GLASS = ("This record cannot be opened by break-glass. Check the record number, or ask the "
                      "agency that holds the record.")


@requires(platform_perms.USE_BREAK_GLASS, methods=("GET", "POST"))
def person_break_glass(request, person_id):
    # The page is the same whether or not the number is a record break-glass may open: it
    # must not tell anyone which record numbers exist. Only an opening that succeeds differs.
    person = selectors.person_for_break_glass(actor=request.user, person_id=person_id)
    def open_glass(data):
        if person is None:
            raise ValidationError(CANNOT_BREAK_GLASS)
        return platform_services.break_glass_open(actor=request.user, obj=person, **data)

    def said(grant) -> str:
        until = timezone.localtime(grant.expires_at)
        return f"Break-glass access opened until {until:%H:%M on %-d %B}. Your reviewer has been told."

    return form_action(request, BreakGlassForm(posted(request)), open_glass, done=said,
                       redirect_to=lambda _: _detail_url(person), template="people/break_glass.html",
                       context={"person_id": person_id})


@record(people_perms.SEAL_PERSON, methods=("GET", "POST"))
def person_seal(request, person_id):
    view = selectors.person_get(actor=request.user, person_id=person_id)
    form = SealForm(posted(request), colleagues=selectors.colleagues(actor=request.user))
    return form_action(request, form,
                       lambda data: platform_services.record_seal(actor=request.user, obj=view.person, **data),
                       done="The record is restricted to the people you named.", redirect_to=_detail_url(view.person),
                       template="people/seal.html", context={"person": view.person})


@requires(people_perms.LINK_PERSON)
def link_request_list(request):
    """Requests from other agencies to link their new record to one your agency holds."""
    requests = selectors.link_request_list(actor=request.user)
    return render(request, "people/link_request_list.html", {"link_requests": requests})


@record(people_perms.LINK_PERSON, methods=("POST",))
def link_request_confirm(request, link_request_id):
    link_request = selectors.link_request_get(actor=request.user, link_request_id=link_request_id)
    return button_action(
        request, lambda: services.identity_link_request_confirm(actor=request.user, link_request=link_request),
        done="Link confirmed: the records are now linked. You can undo it from the record's page.",
        redirect_to="people:link_request_list")


@record(people_perms.LINK_PERSON, methods=("GET", "POST"))
def link_request_decline(request, link_request_id):
    link_request = selectors.link_request_get(actor=request.user, link_request_id=link_request_id)
    return form_action(request, LinkRequestDeclineForm(posted(request)),
                       lambda data: services.identity_link_request_decline(
                           actor=request.user, link_request=link_request, reason=data["reason"]),
                       done="Link declined: the records stay separate.", redirect_to="people:link_request_list",
                       template="people/link_request_decline.html", context={"link_request": link_request})
