from django.shortcuts import render

from hearth.platform import audit


def csrf_failure(request, reason=""):
    audit.deny(object_type="url", object_id=request.path[:64], reason="CSRF check failed")
    return render(request, "platform/csrf_failure.html", status=403)


# Error pages render with the request so the layout knows who is signed in, but they
# never show the exception or anything about the record asked for.
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    from django.http import HttpResponseServerError
    from django.template import loader

    # No context processors: the failure may be in them.
    return HttpResponseServerError(loader.get_template("500.html").render())
