"""Input and output shapes of the accounts API."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from django_countries import countries
from rest_framework import serializers

from apps.accounts.models import Profile, Role, User

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
