"""The deliver stage: subscribers, encryption, schedule, send queue, SMTP, DKIM, bounces.

Subscriber side (``subscribers``, ``crypto``, ``tokens``, ``abuse``, ``pgp``, ``mailto``, ``schedule``,
``subscriber_data``): what the sender reads from and the web form and CLI write to. See
docs/subscribers.md and docs/threat-model.md.
"""

from .crypto import Crypto
from .pgp import check_public_key, encrypt_message
from .schedule import Schedule, due_slot
from .subscribers import (
    ConfirmationRequest,
    Recipient,
    SubscribeResult,
    active_recipients,
    confirm,
    is_suppressed,
    record_bounce,
    subscribe,
    suppress,
    unsubscribe_by_token,
)

__all__ = [
    "ConfirmationRequest",
    "Crypto",
    "Recipient",
    "Schedule",
    "SubscribeResult",
    "active_recipients",
    "check_public_key",
    "confirm",
    "due_slot",
    "encrypt_message",
    "is_suppressed",
    "record_bounce",
    "subscribe",
    "suppress",
    "unsubscribe_by_token",
]
