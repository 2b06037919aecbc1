"""Error codes of the accounts domain (shared/API.md, Accounts and authentication)."""

from veza.api.exceptions import ApplicationError, Forbidden


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


class OtpRequired(ApplicationError):
    status_code = 401
    code = "OTP_REQUIRED"
    message = "Two-factor authentication is on: send otp_code (an authenticator or backup code)."


class InvalidOtp(ApplicationError):
    status_code = 401
    code = "INVALID_OTP"
    message = "The one-time code is invalid or was already used."


class TwoFactorAlreadyEnabled(ApplicationError):
    status_code = 409
    code = "TWO_FACTOR_ALREADY_ENABLED"
    message = "Two-factor authentication is already on. Disable it first to set up a new device."


class TwoFactorNotSetUp(ApplicationError):
    status_code = 409
    code = "TWO_FACTOR_NOT_SET_UP"
    message = "Start with POST /api/v1/auth/2fa/setup."


class TwoFactorNotEnabled(ApplicationError):
    status_code = 409
    code = "TWO_FACTOR_NOT_ENABLED"
    message = "Two-factor authentication is not on."


class InvalidRedirect(ApplicationError):
    status_code = 400
    code = "INVALID_REDIRECT"
    message = "redirect_uri is not an allowed address."


class InvalidState(ApplicationError):
    status_code = 400
    code = "INVALID_STATE"
    message = "Unknown, expired or already used OAuth state."


class OAuthProviderUnknown(ApplicationError):
    status_code = 404
    code = "NOT_FOUND"
    message = "No such sign-in provider."


class ApiKeyLimitReached(ApplicationError):
    status_code = 409
    code = "API_KEY_LIMIT_REACHED"
    message = "You have the maximum number of active API keys. Revoke one to create another."


class TwoFactorLoginRequired(Forbidden):
    """Staff operations over the API need a login that passed 2FA (README "Security model")."""

    code = "TWO_FACTOR_LOGIN_REQUIRED"
    message = (
        "Staff operations need a login that passed two-factor authentication: sign in again "
        "with your one-time code (an API key or a password-only login is not enough)."
    )
