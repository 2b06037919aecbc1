"""Helpers for OpenAPI examples (``@extend_schema(examples=[...])``) in the contract's shapes."""

from drf_spectacular.utils import OpenApiExample


def request_example(
    name: str, value, *, description: str = "", media_type: str = "application/json"
) -> OpenApiExample:
    return OpenApiExample(
        name, value=value, description=description, request_only=True, media_type=media_type
    )


def response_example(name: str, value, *, status: int, description: str = "") -> OpenApiExample:
    return OpenApiExample(
        name, value=value, description=description, response_only=True, status_codes=[str(status)]
    )


def error_example(name: str, *, status: int, code: str, message: str) -> OpenApiExample:
    """An error answer in the envelope (shared/API.md, Conventions)."""
    return response_example(
        name,
        {"error": {"code": code, "message": message, "details": {}}},
        status=status,
    )
