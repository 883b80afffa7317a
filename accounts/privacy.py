"""The privacy policy (templates/accounts/privacy.html) and users' consent to it.

Consent is given at sign-up, when an invitation creates the account, and otherwise at the
first login after the policy changed (accounts.adapter.AccountAdapter.post_login); it is
recorded on the user with the version agreed to (accounts.services.record_privacy_consent).
"""

# Change it (the date the text took effect) whenever the policy's text changes in substance:
# everyone is asked again at their next login.
POLICY_VERSION = "2026-12-07"


def needs_consent(user) -> bool:
    return user.is_authenticated and user.privacy_policy_version != POLICY_VERSION
