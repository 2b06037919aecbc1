"""OpenAPI examples of the sign-up and login journey (values as the API really answers)."""

from veza.api.examples import error_example, request_example, response_example

USER = {
    "id": "effa4225-c074-4b85-8268-2aef934847c8",
    "email": "ada@example.com",
    "username": "ada",
    "role": "user",
    "is_verified": False,
    "promoted_to_creator_at": None,
    "date_joined": "2026-11-28T09:18:57.123501Z",
    "profile": {"display_name": "", "bio": "", "avatar": None, "country": ""},
}

REGISTER_EXAMPLES = [
    request_example(
        "A new account",
        {"email": "ada@example.com", "username": "ada", "password": "a-long-passphrase-42"},
    ),
    response_example(
        "Created, not verified yet",
        USER,
        status=201,
        description="The verification email links to <FRONTEND_URL>/verify-email?token=…",
    ),
    response_example(
        "Refused input",
        {
            "error": {
                "code": "VALIDATION_ERROR",
                "message": "The request is not valid.",
                "details": {
                    "username": ["This username is taken."],
                    "password": ["This password is too common."],
                },
            }
        },
        status=400,
    ),
]

LOGIN_EXAMPLES = [
    request_example(
        "Email and password", {"email": "ada@example.com", "password": "a-long-passphrase-42"}
    ),
    request_example(
        "With 2FA on",
        {"email": "ada@example.com", "password": "a-long-passphrase-42", "otp_code": "492039"},
        description="A current code of the authenticator app, or one of the backup codes.",
    ),
    response_example(
        "Signed in",
        {
            "access": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.sig",
            "refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.sig",
            "user": {**USER, "is_verified": True},
        },
        status=200,
        description="Send `Authorization: Bearer <access>` from now on.",
    ),
    error_example(
        "Wrong email or password",
        status=401,
        code="INVALID_CREDENTIALS",
        message="Email or password is incorrect.",
    ),
    error_example(
        "2FA on, no code sent",
        status=401,
        code="OTP_REQUIRED",
        message="Two-factor authentication is on: send otp_code (an authenticator or backup code).",
    ),
]
