"""OAuth 2.0 token endpoint (client credentials) and bearer token checks."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from aiohttp import web

from .model import ApiError
from .responses import json_response

if TYPE_CHECKING:
    from .state import SimState

TOKEN_PATH = "/oauth/token.php"  # noqa: S105 - a path, not a secret


class TokenStore:
    """The issued access tokens and when each one expires (monotonic time)."""

    def __init__(self) -> None:
        """Start without tokens."""
        self.expiry: dict[str, float] = {}

    def issue(self, lifetime: int) -> str:
        """Create a token valid for ``lifetime`` seconds."""
        token = secrets.token_urlsafe(32)
        self.expiry[token] = time.monotonic() + lifetime
        return token

    def revoke(self) -> None:
        """Invalidate every issued token."""
        self.expiry.clear()

    def expire(self) -> None:
        """Make every issued token expired."""
        for token in self.expiry:
            self.expiry[token] = 0.0

    def check(self, request: web.Request) -> None:
        """Require a valid, unexpired bearer token."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "access_denied", "Missing bearer token")
        expiry = self.expiry.get(token.strip())
        if expiry is None:
            raise ApiError(401, "access_denied", "Invalid or revoked access token")
        if expiry <= time.monotonic():
            raise ApiError(401, "access_denied", "The access token expired")


class TokenEndpoint:
    """``POST /oauth/token.php``: trusted Apps get a token for their credentials."""

    def __init__(self, sim: SimState, tokens: TokenStore) -> None:
        """Read credentials and lifetime from the PBX state at each request."""
        self.sim = sim
        self.tokens = tokens

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the token route."""
        router.add_post(TOKEN_PATH, self.token)

    async def token(self, request: web.Request) -> web.Response:
        """Issue an access token for the client credentials grant."""
        if request.content_type != "application/x-www-form-urlencoded":
            return _oauth_error(400, "invalid_request", "Form")
        form = dict(parse_qsl((await request.read()).decode(), keep_blank_values=True))
        if not all(form.get(k) for k in ("client_id", "client_secret", "grant_type")):
            return _oauth_error(400, "invalid_request", "Missing parameter")
        sim = self.sim
        if (form["client_id"], form["client_secret"]) != (
            sim.client_id,
            sim.client_secret,
        ):
            return _oauth_error(401, "invalid_client", "Bad credentials")
        if form["grant_type"] != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, 400)
        response = json_response(
            {
                "access_token": self.tokens.issue(sim.token_lifetime),
                "token_type": "Bearer",
                "expires_in": sim.token_lifetime,
            }
        )
        response.headers["Cache-Control"] = "no-store"
        return response


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    """Return an RFC 6749 error body."""
    return json_response({"error": error, "error_description": description}, status)
