"""Django's handler400/403/404/500: the envelope for API paths, Django's pages elsewhere."""

from django.views import defaults

from veza.api.middleware import envelope_for_status, is_api_path


def bad_request(request, exception=None):
    if is_api_path(request.path_info):
        return envelope_for_status(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api_path(request.path_info):
        return envelope_for_status(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if is_api_path(request.path_info):
        return envelope_for_status(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_path(request.path_info):
        return envelope_for_status(500)
    return defaults.server_error(request)
