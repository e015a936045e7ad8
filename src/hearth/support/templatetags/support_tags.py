"""Template tags of practical support: policy questions for menus, and referrer feedback."""

from django import template

from hearth.platform import access

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def support_may(context, permission: str) -> bool:
    """Whether the signed-in user may use a support permission (for menus and buttons)."""
    request = context.get("request")
    return access.may(getattr(request, "user", None), permission)


@register.inclusion_tag("support/_referral_feedback.html")
def referral_support_feedback(referral):
    """The practical-support answer on a referral's page: needs met / partly met / not yet met.

    Counts only: never the charity's notes, items or addresses. Renders nothing when the
    referral has no support case.
    """
    return {"feedback": selectors.referral_feedback(referral=referral), "referral": referral}
