"""The JSON parser every endpoint uses: DRF's, with deep nesting answered as a parse error."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """Parse JSON; a document nested too deeply for Python answers 400, not 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        """Parse the body, turning RecursionError into a ParseError."""
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
