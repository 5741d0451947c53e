"""Identity errors."""

from puente.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from puente.core.i18n import N_


class InvalidCredentials(Unauthenticated):
    message = N_("Wrong username or password.")


class LoginThrottled(Unauthenticated):
    """Too many wrong passwords from one source, whatever the names (429 on the
    login page, with Retry-After). Says nothing about any account."""

    message = N_(
        "Too many attempts from this address. Try again in %(minutes)s minutes."
    )

    def __init__(self, *, minutes: int, retry_after: int) -> None:
        super().__init__(minutes=minutes)
        self.retry_after = retry_after


class AccountLocked(Unauthenticated):
    message = N_("Too many failed attempts. Try again later.")


class MfaLocked(Unauthenticated):
    message = N_(
        "Too many wrong codes. Ask an administrator to reset your authenticator."
    )


class SessionExpired(Unauthenticated):
    message = N_("Your session has ended. Please log in again.")


class InvalidTotp(Unauthenticated):
    message = N_("That code is not valid. Use a fresh code from your app.")


class UserNotFound(NotFound):
    message = N_("No such user.")


class UserExists(Conflict):
    message = N_("That username is taken.")


class UnknownRole(InvalidInput):
    message = N_("Unknown role: %(role)s.")


class OrganisationNotFound(NotFound):
    message = N_("No such organisation.")


class OrganisationExists(Conflict):
    message = N_("An organisation with that short name already exists.")


class ResetRequestNotFound(NotFound):
    message = N_("No such request.")


class ResetAlreadyDecided(Conflict):
    message = N_("This request was already decided.")


class ResetAlreadyPending(Conflict):
    message = N_("A reset of this authenticator is already waiting for approval.")


class SecondAdminRequired(Conflict):
    message = N_("Another administrator must approve this request.")


class NotYourself(Conflict):
    message = N_("You cannot do this to your own account.")


class UnknownChoice(InvalidInput):
    message = N_("Choose one of the options offered.")
