from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.people import permissions as people_perms
from hearth.platform import access
from hearth.platform import permissions as platform_perms
from hearth.platform import services as platform_services
from hearth.platform.actions import perform
from hearth.platform.forms import add_validation_error
from hearth.platform.policy import record, requires
from hearth.referrals import permissions as referrals_perms

from . import selectors, services
from .forms import BreakGlassForm, IncidentForm, LinkRequestDeclineForm, MatchDecisionForm, PersonForm, SealForm
from .models import InvolvementRole, Person


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
    form = PersonForm(request.POST if request.method == "POST" else None, parts=access.ALL_PARTS)
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
    link_to = None
    if decision != "new":
        # A record the user cannot open is not linked here: the service makes a link request.
        # nosemgrep: hearth-case-query-not-through-visible-to
        link_to = Person.objects.filter(pk=offered[decision].target_id).first()
    try:
        person = services.person_create(actor=request.user, link_to=link_to, **form.cleaned_data)
    except ValidationError as exc:
        add_validation_error(form, exc)
        return render(request, "people/person_form.html", {"form": form})
    if link_to is not None and person.identity_id != link_to.identity_id:
        messages.success(request, "Person recorded. The agency holding the other record has been asked to confirm "
                                  "the link: until they do, the records stay separate.")
    else:
        messages.success(request, "Person recorded and linked to their other record." if link_to
                         else "Person recorded.")
    return redirect("people:person_detail", person_id=person.pk)


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
    form = PersonForm(request.POST if request.method == "POST" else None, parts=parts, record=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "Record updated. The earlier details are kept in its history.")
            return redirect("people:person_detail", person_id=person.pk)
    return render(request, "people/person_edit.html", {"form": form, "person": person})


@record(people_perms.RECORD_INCIDENT, methods=("GET", "POST"))
def incident_create(request, person_id):
    view = selectors.person_get(actor=request.user, person_id=person_id)
    visible = Person.objects.visible_to(request.user).exclude(pk=view.person.pk)
    form = IncidentForm(request.POST if request.method == "POST" else None, people=visible,
                        children=visible.filter(households__is_child=True).distinct())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        involvements = [(view.person, InvolvementRole.VICTIM)]
        if data["alleged_perpetrator"]:
            involvements.append((data["alleged_perpetrator"], InvolvementRole.ALLEGED_PERPETRATOR))
        involvements += [(child, InvolvementRole.CHILD_PRESENT) for child in data["children"]]
        try:
            services.incident_record(
                actor=request.user, occurred_on=data["occurred_on"], abuse_types=data["abuse_types"],
                involvements=involvements, place=data["place"], children_present=data["children_present"],
                police_reference=data["police_reference"], summary=data["summary"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "Incident recorded.")
            return redirect("people:person_detail", person_id=view.person.pk)
    return render(request, "people/incident_form.html", {"form": form, "person": view.person})


@record(people_perms.LINK_PERSON, methods=("POST",))
def person_not_same(request, person_id, other_id):
    view = selectors.person_get(actor=request.user, person_id=person_id)
    other = selectors.person_get(actor=request.user, person_id=other_id)
    perform(request, lambda: services.person_mark_not_same(actor=request.user, person=view.person, other=other.person),
            done="Marked as different people. They will not be suggested as a match again.")
    return redirect("people:person_detail", person_id=view.person.pk)


@record(people_perms.LINK_PERSON, methods=("POST",))
def merge_undo(request, merge_id):
    merge = selectors.merge_get(actor=request.user, merge_id=merge_id)
    perform(request, lambda: services.identity_merge_undo(actor=request.user, merge=merge),
            done="The link was undone: the records are separate identities again.")
    return redirect("people:person_list")


# Said for a record that does not exist and for one break-glass may not open alike.
CANNOT_BREAK_GLASS = ("This record cannot be opened by break-glass. Check the record number, or ask the "
                      "agency that holds the record.")


@requires(platform_perms.USE_BREAK_GLASS, methods=("GET", "POST"))
def person_break_glass(request, person_id):
    # The page is the same whether or not the number is a record break-glass may open: it
    # must not tell anyone which record numbers exist. Only an opening that succeeds differs.
    person = selectors.person_for_break_glass(actor=request.user, person_id=person_id)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if person is None:
            form.add_error(None, CANNOT_BREAK_GLASS)
        else:
            try:
                grant = platform_services.break_glass_open(actor=request.user, obj=person, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                until = timezone.localtime(grant.expires_at)
                messages.success(request, f"Break-glass access opened until {until:%H:%M on %-d %B}. "
                                          "Your reviewer has been told.")
                return redirect("people:person_detail", person_id=person.pk)
    return render(request, "people/break_glass.html", {"form": form, "person_id": person_id})


@record(people_perms.SEAL_PERSON, methods=("GET", "POST"))
def person_seal(request, person_id):
    view = selectors.person_get(actor=request.user, person_id=person_id)
    colleagues = get_user_model().objects.filter(
        memberships__agency=access.acting(request.user).agency, memberships__is_active=True,
    ).exclude(pk=request.user.pk)
    form = SealForm(request.POST if request.method == "POST" else None, colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        try:
            platform_services.record_seal(actor=request.user, obj=view.person, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "The record is restricted to the people you named.")
            return redirect("people:person_detail", person_id=view.person.pk)
    return render(request, "people/seal.html", {"form": form, "person": view.person})


@requires(people_perms.LINK_PERSON)
def link_request_list(request):
    """Requests from other agencies to link their new record to one your agency holds."""
    requests = selectors.link_request_list(actor=request.user)
    return render(request, "people/link_request_list.html", {"link_requests": requests})


@record(people_perms.LINK_PERSON, methods=("POST",))
def link_request_confirm(request, link_request_id):
    link_request = selectors.link_request_get(actor=request.user, link_request_id=link_request_id)
    perform(request, lambda: services.identity_link_request_confirm(actor=request.user, link_request=link_request),
            done="Link confirmed: the records are now linked. You can undo it from the record's page.")
    return redirect("people:link_request_list")


@record(people_perms.LINK_PERSON, methods=("GET", "POST"))
def link_request_decline(request, link_request_id):
    link_request = selectors.link_request_get(actor=request.user, link_request_id=link_request_id)
    form = LinkRequestDeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_link_request_decline(actor=request.user, link_request=link_request,
                                                   reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "Link declined: the records stay separate.")
            return redirect("people:link_request_list")
    return render(request, "people/link_request_decline.html", {"form": form, "link_request": link_request})
