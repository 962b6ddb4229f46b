"""Helpers for the simulator tests: a raw API client and a callback receiver."""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from typing import Any

from aiohttp import ClientSession, web

from voipnow_simulator import VoipNowSimulator

CLIENT_ID = "test-app-id"
CLIENT_SECRET = "test-app-secret"
EXT1 = "0003*210"
EXT2 = "0003*211"


@dataclass
class Reply:
    """Status, headers and parsed JSON (or None) of an HTTP answer."""

    status: int
    body: Any
    text: str
    content_type: str


class Api:
    """A tiny raw HTTP helper bound to the simulator and a bearer token."""

    def __init__(self, sim: VoipNowSimulator, http: ClientSession, token: str) -> None:
        """Store the simulator, the session and the token."""
        self.sim = sim
        self.http = http
        self.token = token

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Any = None,
        params: dict[str, str] | None = None,
        token: str | None = None,
    ) -> Reply:
        """Send a request and return its parsed answer."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        async with self.http.request(
            method,
            self.sim.url + path,
            json=json_body,
            data=data,
            params=params,
            headers=headers,
        ) as resp:
            text = await resp.text()
            try:
                body = json.loads(text) if text else None
            except ValueError:
                body = None
            return Reply(resp.status, body, text, resp.content_type)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        """GET a path."""
        return await self.request("GET", path, **kwargs)

    async def put(self, path: str, body: Any, **kwargs: Any) -> Reply:
        """PUT a JSON body."""
        return await self.request("PUT", path, json_body=body, **kwargs)

    async def post(self, path: str, body: Any, **kwargs: Any) -> Reply:
        """POST a JSON body."""
        return await self.request("POST", path, json_body=body, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Reply:
        """DELETE a path."""
        return await self.request("DELETE", path, **kwargs)


@dataclass
class Receiver:
    """A local HTTP server recording the callbacks it receives."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200

    async def handle(self, request: web.Request) -> web.Response:
        """Record one callback."""
        form = dict(await request.post()) if request.method == "POST" else {}
        self.received.append(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "form": {k: str(v) for k, v in form.items()},
                "content_type": request.content_type,
            }
        )
        return web.Response(status=self.status, text="ok")

    def on(self, path: str) -> list[dict[str, Any]]:
        """Return the callbacks received on one path."""
        return [r for r in self.received if r["path"] == path]


async def get_token(sim: VoipNowSimulator, http: ClientSession) -> str:
    """Get an access token with the default credentials."""
    async with http.post(
        sim.url + "/oauth/token.php",
        data={
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "grant_type": "client_credentials",
        },
    ) as resp:
        assert resp.status == 200
        data = await resp.json()
    return str(data["access_token"])
