"""Client for VoipNow's UnifiedAPI; knows nothing of Home Assistant.

The public surface: `VoipNowClient` (the endpoints), the typed models it
returns, the callback payload, the exception tree, and the helpers that
name numbers and servers.
"""

from .callback import CallEventPayload
from .client import VoipNowClient
from .const import (
    DEFAULT_TIMEOUT,
    DEFAULT_USER_ID,
    EVENT_TYPE_REFUSED,
    SELF,
    AgentStatus,
    CallbackMethod,
    CallEndStatus,
    CallFlow,
    CallStatus,
    Disposition,
    PresenceStatus,
    RegistrationStatus,
    SubscriptionEventType,
)
from .exceptions import (
    VoipNowAccessDeniedError,
    VoipNowAuthenticationError,
    VoipNowConnectionError,
    VoipNowError,
    VoipNowInvalidInputError,
    VoipNowMalformedResponseError,
    VoipNowResponseError,
    VoipNowSSLError,
    VoipNowTimeoutError,
)
from .models import (
    CallEventSubscription,
    Extension,
    PhoneCall,
    PhoneCallView,
    QueueAgent,
    Registration,
)
from .numbers import (
    MAX_NAME,
    MAX_NUMBER,
    clean_text,
    format_caller_id,
    same_extension,
    short_extension,
    split_caller_id,
    validate_extension,
    validate_mailbox,
    validate_number,
    validate_object_id,
    validate_user_id,
)
from .urls import is_local_url, normalize_url, server_host

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_ID",
    "EVENT_TYPE_REFUSED",
    "MAX_NAME",
    "MAX_NUMBER",
    "SELF",
    "AgentStatus",
    "CallEndStatus",
    "CallEventPayload",
    "CallEventSubscription",
    "CallFlow",
    "CallStatus",
    "CallbackMethod",
    "Disposition",
    "Extension",
    "PhoneCall",
    "PhoneCallView",
    "PresenceStatus",
    "QueueAgent",
    "Registration",
    "RegistrationStatus",
    "SubscriptionEventType",
    "VoipNowAccessDeniedError",
    "VoipNowAuthenticationError",
    "VoipNowClient",
    "VoipNowConnectionError",
    "VoipNowError",
    "VoipNowInvalidInputError",
    "VoipNowMalformedResponseError",
    "VoipNowResponseError",
    "VoipNowSSLError",
    "VoipNowTimeoutError",
    "clean_text",
    "format_caller_id",
    "is_local_url",
    "normalize_url",
    "same_extension",
    "server_host",
    "short_extension",
    "split_caller_id",
    "validate_extension",
    "validate_mailbox",
    "validate_number",
    "validate_object_id",
    "validate_user_id",
]
