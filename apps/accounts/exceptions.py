"""Error codes of the accounts domain (shared/API.md, Accounts and authentication)."""

from enum import StrEnum

from veza.api.exceptions import ApplicationError, Forbidden
from veza.api.exceptions import ErrorCode as GenericCode


class ErrorCode(StrEnum):
    """The accounts domain's own error codes (shared/API.md, Accounts and authentication);
    generic ones come from :class:`veza.api.exceptions.ErrorCode`."""

    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    API_KEY_LIMIT_REACHED = "API_KEY_LIMIT_REACHED"
    CREATOR_ROLE_REQUIRED = "CREATOR_ROLE_REQUIRED"
    EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_OTP = "INVALID_OTP"
    INVALID_PASSWORD = "INVALID_PASSWORD"
    INVALID_REDIRECT = "INVALID_REDIRECT"
    INVALID_STATE = "INVALID_STATE"
    OAUTH_PROVIDER_ERROR = "OAUTH_PROVIDER_ERROR"
    OTP_REQUIRED = "OTP_REQUIRED"
    TWO_FACTOR_ALREADY_ENABLED = "TWO_FACTOR_ALREADY_ENABLED"
    TWO_FACTOR_LOGIN_REQUIRED = "TWO_FACTOR_LOGIN_REQUIRED"
    TWO_FACTOR_NOT_ENABLED = "TWO_FACTOR_NOT_ENABLED"
    TWO_FACTOR_NOT_SET_UP = "TWO_FACTOR_NOT_SET_UP"


class InvalidCredentials(ApplicationError):
    status_code = 401
    code = ErrorCode.INVALID_CREDENTIALS
    message = "Email or password is incorrect."


class InvalidToken(ApplicationError):
    status_code = 400
    code = GenericCode.INVALID_TOKEN
    message = "This link is invalid or has expired."


class InvalidRefreshToken(ApplicationError):
    status_code = 401
    code = GenericCode.INVALID_TOKEN
    message = "The refresh token is invalid, expired or revoked."


class InvalidPassword(ApplicationError):
    status_code = 400
    code = ErrorCode.INVALID_PASSWORD
    message = "The current password is incorrect."


class EmailNotVerified(ApplicationError):
    status_code = 403
    code = ErrorCode.EMAIL_NOT_VERIFIED
    message = "Verify your email address first."


class CreatorRoleRequired(ApplicationError):
    status_code = 403
    code = ErrorCode.CREATOR_ROLE_REQUIRED
    message = "This needs a creator account. Upgrade from your account settings."


class UserNotFound(ApplicationError):
    status_code = 404
    code = GenericCode.NOT_FOUND
    message = "User not found."


class OtpRequired(ApplicationError):
    status_code = 401
    code = ErrorCode.OTP_REQUIRED
    message = "Two-factor authentication is on: send otp_code (an authenticator or backup code)."


class InvalidOtp(ApplicationError):
    status_code = 401
    code = ErrorCode.INVALID_OTP
    message = "The one-time code is invalid or was already used."


class TwoFactorAlreadyEnabled(ApplicationError):
    status_code = 409
    code = ErrorCode.TWO_FACTOR_ALREADY_ENABLED
    message = "Two-factor authentication is already on. Disable it first to set up a new device."


class TwoFactorNotSetUp(ApplicationError):
    status_code = 409
    code = ErrorCode.TWO_FACTOR_NOT_SET_UP
    message = "Start with POST /api/v1/auth/2fa/setup."


class TwoFactorNotEnabled(ApplicationError):
    status_code = 409
    code = ErrorCode.TWO_FACTOR_NOT_ENABLED
    message = "Two-factor authentication is not on."


class InvalidRedirect(ApplicationError):
    status_code = 400
    code = ErrorCode.INVALID_REDIRECT
    message = "redirect_uri is not an allowed address."


class InvalidState(ApplicationError):
    status_code = 400
    code = ErrorCode.INVALID_STATE
    message = "Unknown, expired or already used OAuth state."


class OAuthProviderUnknown(ApplicationError):
    status_code = 404
    code = GenericCode.NOT_FOUND
    message = "No such sign-in provider."


class ApiKeyLimitReached(ApplicationError):
    status_code = 409
    code = ErrorCode.API_KEY_LIMIT_REACHED
    message = "You have the maximum number of active API keys. Revoke one to create another."


class TwoFactorLoginRequired(Forbidden):
    """Staff operations over the API need a login that passed 2FA (README "Security model")."""

    code = ErrorCode.TWO_FACTOR_LOGIN_REQUIRED
    message = (
        "Staff operations need a login that passed two-factor authentication: sign in again "
        "with your one-time code (an API key or a password-only login is not enough)."
    )


class ApiKeyScopeExceeded(ApplicationError):
    status_code = 403
    code = GenericCode.API_KEY_SCOPE
    message = "An API key cannot create a key with more scopes than its own."


class OAuthFlowError(ApplicationError):
    """A failure after the OAuth state was consumed: the browser goes back to the app's
    ``redirect_uri`` with ``#error=<code>`` instead of an API error body."""

    status_code = 400

    def __init__(self, code: str, redirect_uri: str) -> None:
        super().__init__(code=code)
        self.redirect_uri = redirect_uri
