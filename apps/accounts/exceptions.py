"""Error codes of the accounts domain (shared/API.md, Accounts and authentication)."""

from veza.api.exceptions import ApplicationError


class InvalidCredentials(ApplicationError):
    status_code = 401
    code = "INVALID_CREDENTIALS"
    message = "Email or password is incorrect."


class InvalidToken(ApplicationError):
    status_code = 400
    code = "INVALID_TOKEN"
    message = "This link is invalid or has expired."


class InvalidRefreshToken(ApplicationError):
    status_code = 401
    code = "INVALID_TOKEN"
    message = "The refresh token is invalid, expired or revoked."


class InvalidPassword(ApplicationError):
    status_code = 400
    code = "INVALID_PASSWORD"
    message = "The current password is incorrect."


class EmailNotVerified(ApplicationError):
    status_code = 403
    code = "EMAIL_NOT_VERIFIED"
    message = "Verify your email address first."


class CreatorRoleRequired(ApplicationError):
    status_code = 403
    code = "CREATOR_ROLE_REQUIRED"
    message = "This needs a creator account. Upgrade from your account settings."


class UserNotFound(ApplicationError):
    status_code = 404
    code = "NOT_FOUND"
    message = "User not found."
