"""Simulator tests: OAuth token endpoint and bearer authentication."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import ClientSession

from voipnow_simulator import VoipNowSimulator

from .helpers import CLIENT_ID, CLIENT_SECRET, Api, get_token

TOKEN_FORM = {
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "grant_type": "client_credentials",
    "type": "unifiedapi",
    "redirect_uri": "https://example.invalid/ouath/token.php",
}


async def _token(
    sim: VoipNowSimulator, http: ClientSession, **form: str
) -> tuple[int, dict[str, Any]]:
    """Post a token request and return status and JSON body."""
    async with http.post(sim.url + "/oauth/token.php", data=form) as resp:
        return resp.status, await resp.json()


async def test_token_success(sim: VoipNowSimulator, http: ClientSession) -> None:
    """A trusted App gets a bearer token with the configured lifetime."""
    status, body = await _token(sim, http, **TOKEN_FORM)
    assert status == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) > 20
    status, second = await _token(sim, http, **TOKEN_FORM)
    assert second["access_token"] != body["access_token"]


async def test_token_errors(sim: VoipNowSimulator, http: ClientSession) -> None:
    """Bad secret, bad id, wrong grant, missing fields and JSON bodies fail."""
    status, body = await _token(sim, http, **{**TOKEN_FORM, "client_secret": "x"})
    assert (status, body["error"]) == (401, "invalid_client")
    assert body["error_description"]
    status, body = await _token(sim, http, **{**TOKEN_FORM, "client_id": "x"})
    assert (status, body["error"]) == (401, "invalid_client")
    status, body = await _token(sim, http, **{**TOKEN_FORM, "grant_type": "password"})
    assert (status, body["error"]) == (400, "unsupported_grant_type")
    status, body = await _token(sim, http, client_id=CLIENT_ID)
    assert (status, body["error"]) == (400, "invalid_request")
    async with http.post(sim.url + "/oauth/token.php", json=TOKEN_FORM) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"] == "invalid_request"


async def test_token_lifetime_and_expiry(
    sim: VoipNowSimulator, http: ClientSession
) -> None:
    """Tokens stop working once ``expires_in`` seconds have passed."""
    sim.token_lifetime = 1
    _, body = await _token(sim, http, **TOKEN_FORM)
    assert body["expires_in"] == 1
    api = Api(sim, http, body["access_token"])
    assert (await api.get("/uapi/phoneCalls/@me/@self")).status == 200
    await asyncio.sleep(1.1)
    reply = await api.get("/uapi/phoneCalls/@me/@self")
    assert reply.status == 401
    assert reply.body["error"]["code"] == "access_denied"


async def test_missing_and_bad_token(api: Api) -> None:
    """No header, another scheme or an unknown token give 401 access_denied."""
    async with api.http.get(api.sim.url + "/uapi/phoneCalls/@me/@self") as resp:
        assert resp.status == 401
        assert (await resp.json())["error"]["code"] == "access_denied"
    async with api.http.get(
        api.sim.url + "/uapi/phoneCalls/@me/@self",
        headers={"Authorization": "Basic abc"},
    ) as resp:
        assert resp.status == 401
    reply = await api.get("/uapi/phoneCalls/@me/@self", token="nope")
    assert (reply.status, reply.body["error"]["code"]) == (401, "access_denied")


async def test_revoke_and_expire(api: Api) -> None:
    """revoke_tokens and expire_tokens invalidate every issued token."""
    path = "/uapi/phoneCalls/@me/@self"
    assert (await api.get(path)).status == 200
    api.sim.expire_tokens()
    reply = await api.get(path)
    assert reply.status == 401
    assert "expired" in reply.body["error"]["message"]
    api.token = await get_token(api.sim, api.http)
    assert (await api.get(path)).status == 200
    api.sim.revoke_tokens()
    assert (await api.get(path)).status == 401


async def test_regenerate_secret(api: Api) -> None:
    """A new App secret invalidates the old secret and all tokens."""
    api.sim.set_client_secret("new-secret")
    assert (await api.get("/uapi/phoneCalls/@me/@self")).status == 401
    status, body = await _token(api.sim, api.http, **TOKEN_FORM)
    assert (status, body["error"]) == (401, "invalid_client")
    status, body = await _token(
        api.sim, api.http, **{**TOKEN_FORM, "client_secret": "new-secret"}
    )
    assert status == 200
    reply = await api.get("/uapi/phoneCalls/@me/@self", token=body["access_token"])
    assert reply.status == 200


async def test_unknown_paths_and_methods(api: Api) -> None:
    """Unknown paths give 404 not_found (after auth), wrong methods 501."""
    reply = await api.get("/uapi/nothing/here")
    assert (reply.status, reply.body["error"]["code"]) == (404, "not_found")
    reply = await api.get("/uapi/nothing/here", token="bad")
    assert reply.status == 401
    reply = await api.request("PATCH", "/uapi/phoneCalls/@me/@self")
    assert (reply.status, reply.body["error"]["code"]) == (
        501,
        "request_not_implemented",
    )
    reply = await api.get("/elsewhere")
    assert reply.status == 404


async def test_user_and_extension_validation(api: Api) -> None:
    """UserId must be the authenticated user; the extension one of theirs."""
    for user in ("@me", "@viewer", "@owner", "12"):
        assert (await api.get(f"/uapi/phoneCalls/{user}/@self")).status == 200
    reply = await api.get("/uapi/phoneCalls/13/@self")
    assert (reply.status, reply.body["error"]["code"]) == (400, "user_invalid")
    reply = await api.get("/uapi/phoneCalls/@me/0003*999")
    assert (reply.status, reply.body["error"]["code"]) == (400, "extension_invalid")
    assert (await api.get("/uapi/phoneCalls/@me/210")).status == 200
