"""The support template tags: a permission name the policy does not know fails the render."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from hearth.platform.access import UnknownPermission


def test_support_may_with_an_unknown_permission_fails_the_render():
    template = Template('{% load support_tags %}{% support_may "support.veiw_needs" as may %}{{ may }}')
    with pytest.raises(UnknownPermission):
        template.render(Context({}))


def test_support_may_without_a_user_is_no():
    template = Template('{% load support_tags %}{% support_may "support.view_needs" as may %}{{ may }}')
    assert template.render(Context({})) == "False"
