"""The root page: what this server is and where to go (docs, reference, admin, health)."""

from django.views.generic import TemplateView

from veza import __version__


class HomePageView(TemplateView):
    template_name = "pages/home.html"
    extra_context = {"version": __version__}
