"""What a badge's QR code holds: the registration's reference, signed for its event.

Django's signing (HMAC with SECRET_KEY) with a salt per event: a code cannot be altered or
invented without the key, and a badge of one event does not pass at another. The reference
stays readable in the code, so that a scan can say whose badge a refused code claims to be.
"""

from django.core import signing

from .models import Registration

SEPARATOR = ":"


def _signer(event_id: int) -> signing.Signer:
    return signing.Signer(salt=f"registrations.checkin.event-{event_id}", sep=SEPARATOR)


def badge_token(registration: Registration) -> str:
    """The signed code of `registration`, e.g. `EMN18-G4H49:Xk3…` (about 50 characters)."""
    return _signer(registration.event_id).sign(registration.reference)


def looks_like_token(code: str) -> bool:
    """Whether `code` is meant as a signed code (a typed reference has no separator)."""
    return SEPARATOR in code


def token_reference(code: str) -> str:
    """The reference a code claims to be for, signed or not (not yet verified)."""
    return code.partition(SEPARATOR)[0].strip()


def token_is_valid(code: str, *, event_id: int) -> bool:
    """Whether `code` was signed for the event `event_id`."""
    try:
        _signer(event_id).unsign(code.strip())
    except signing.BadSignature:
        return False
    return True
