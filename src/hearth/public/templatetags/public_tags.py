"""Template helpers for the public help site: the language chooser and help text blocks."""

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """Each other language with a link to this page in it (or to the help page, if this page has one language)."""
    request = context["request"]
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        url = translate_url(request.get_full_path(), code)
        if url == request.get_full_path():
            with translation.override(code):
                url = reverse("public:help")
        links.append({"code": code, "name": name, "url": url})
    return links


@register.simple_tag
def quick_exit_url():
    return settings.HEARTH_QUICK_EXIT_URL
