"""The API's routes are ordered for speed (the hottest reads first); no route may shadow a later
one: every named API route, reversed with sample arguments, resolves back to itself."""

import uuid

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

# apps.gdpr serves /users/me (with account deletion) instead of apps.accounts' own view.
OVERRIDDEN_ON_PURPOSE = {"MeApi"}
SAMPLES = {"uuid": uuid.UUID(int=1), "int": 1, "str": "sample", "slug": "sample", "path": "a/b"}


def _named_routes(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            kwargs = {
                name: SAMPLES.get(type(converter).__name__.removesuffix("Converter").lower(), "x")
                for name, converter in converters.items()
            }
            yield f"{namespace}{entry.name}", kwargs, entry.callback


def test_every_api_route_resolves_to_itself():
    checked = 0
    for name, kwargs, view in _named_routes(get_resolver().url_patterns):
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # a converter without a sample: not an API route
            continue
        if not url.startswith("/api/v1/"):
            continue
        match = resolve(url)
        assert match.view_name == name, f"{url} resolves to {match.view_name}, not {name}"
        expected = getattr(view, "view_class", view)
        if expected.__name__ in OVERRIDDEN_ON_PURPOSE:
            continue
        served = getattr(match.func, "view_class", match.func)
        assert served is expected, f"{url} is served by {served.__name__}, not {expected.__name__}"
        checked += 1
    assert checked > 50


def test_stream_is_among_the_first_routes_tried():
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    names = [str(getattr(entry, "urlconf_name", "")) for entry in api.url_patterns[:3]]
    assert any("apps.streaming.urls" in name for name in names)
