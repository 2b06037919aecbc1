"""Request body parsers with bounds: hostile input is a 400, never a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 for JSON nested deeper than the decoder can follow.

    Python's decoder recurses once per nesting level and raises ``RecursionError`` (not a
    ``ValueError``, which DRF already turns into a 400) past the interpreter's limit: a body of
    ``[[[[…]]]]`` 5,000 levels deep would otherwise be a 500. No real payload of this API nests
    more than a few levels.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the document is nested too deeply.") from error
