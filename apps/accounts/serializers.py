"""Input and output shapes of the accounts API."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from django_countries import countries
from rest_framework import serializers

from apps.accounts.models import ApiKey, ApiScope, Profile, Role, User
from veza.normalization import email_normalized_fits

_username_field = {
    "max_length": 30,
    "min_length": 3,
    "validators": [UnicodeUsernameValidator()],
    "help_text": "3 to 30 letters, digits and @/./+/-/_ only.",
}


# --- Inputs ----------------------------------------------------------------------------


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    username = serializers.CharField(**_username_field)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)

    def validate_email(self, value: str) -> str:
        if not email_normalized_fits(value):
            raise serializers.ValidationError("Enter a valid email address.")
        return value


class TokenInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512)


class EmailInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class LoginInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp_code = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="TOTP or backup code."
    )


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)


class PasswordChangeInputSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)
    refresh = serializers.CharField(
        max_length=2048,
        required=False,
        help_text="The caller's own refresh token, kept valid; every other one is revoked.",
    )


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class ProfileInputSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    country = serializers.ChoiceField(
        choices=[("", "—"), *list(countries)],
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 code, or empty.",
    )


class UserUpdateInputSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, **_username_field)
    profile = ProfileInputSerializer(required=False)


# --- Outputs ---------------------------------------------------------------------------


class ProfileOutputSerializer(serializers.ModelSerializer):
    avatar = serializers.ImageField(read_only=True, allow_null=True)
    country = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2 code or empty.")

    class Meta:
        model = Profile
        fields = ["display_name", "bio", "avatar", "country"]
        read_only_fields = fields


class UserOutputSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    profile = ProfileOutputSerializer(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "username",
            "role",
            "is_verified",
            "promoted_to_creator_at",
            "date_joined",
            "profile",
        ]
        read_only_fields = fields


class LoginOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = UserOutputSerializer()


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class DetailOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()


class UpgradeCreatorOutputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    promoted_to_creator_at = serializers.DateTimeField(allow_null=True)
    already_elevated = serializers.BooleanField()


# --- Account security ------------------------------------------------------------------------


class ApiKeyCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ApiScope.choices),
        min_length=1,
        max_length=3,
        help_text='One or more of "read", "write", "admin".',
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Optional expiry (future)."
    )


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ApiScope.choices))

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "last_used_at",
            "expires_at",
            "read_limit_per_hour",
            "write_limit_per_hour",
        ]
        read_only_fields = fields


class ApiKeyCreatedOutputSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(help_text="The full key. Shown once: store it now.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]
        read_only_fields = fields


class TwoFactorSetupOutputSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32 TOTP secret for manual entry.")
    otpauth_url = serializers.CharField(help_text="otpauth:// URI, for a QR code.")


class TwoFactorStatusOutputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    backup_codes_remaining = serializers.IntegerField()


class OtpCodeInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="The 6-digit code of the app.")


class TwoFactorEnableOutputSerializer(serializers.Serializer):
    backup_codes = serializers.ListField(
        child=serializers.CharField(), help_text="Ten single-use codes. Shown once."
    )


class TwoFactorDisableInputSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    code = serializers.CharField(max_length=32, help_text="A TOTP or backup code.")


class OAuthStartInputSerializer(serializers.Serializer):
    redirect_uri = serializers.CharField(max_length=2048)


class OAuthCallbackInputSerializer(serializers.Serializer):
    state = serializers.CharField(max_length=128)
    code = serializers.CharField(max_length=2048, required=False)
    error = serializers.CharField(max_length=256, required=False)

    def validate(self, attrs):
        if not attrs.get("code") and not attrs.get("error"):
            raise serializers.ValidationError({"code": ["This field is required."]})
        return attrs


class ChatTokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="JWT for the chat server, signed with its own secret.")
    expires_at = serializers.DateTimeField()
