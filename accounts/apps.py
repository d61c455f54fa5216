from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-up, roles (who is an instructor), login throttling and rate limits, demo accounts.

    No models of its own: users and groups are django.contrib.auth's."""

    name = "accounts"
