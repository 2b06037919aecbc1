"""Content negotiation that never answers 406.

Every answer of the API is JSON (shared/API.md, Conventions), and the contract has no 406. DRF's
default negotiation refuses a request whose ``Accept`` header no renderer satisfies (or that
does not parse, e.g. ``Accept: *<``) with 406 NOT_ACCEPTABLE; here such a request gets the
view's first renderer, JSON, as RFC 9110 section 12.5.1 allows ("disregard the header field").
A browser's ``text/html`` still gets the browsable API where a view offers it, and an unknown
``?format=`` still answers 404 as before.
"""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class JsonFallbackContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            renderer = renderers[0]
            return renderer, renderer.media_type
