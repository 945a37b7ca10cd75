"""Schemathesis hooks for the node's API: every request gets a fresh request token
(each `jti` is accepted once) from `deltaseal token`, signed by the party the route
needs — the seal authority for making and changing seals, an organisation signer for
stamping, an issuing agency otherwise. Environment: DELTASEAL_BIN (the binary),
DELTASEAL_KEYS (the keys directory), DELTASEAL_SERVER (the node's base URL)."""

import os
import subprocess

import schemathesis


def party(method: str, path: str) -> str:
    if path.startswith("/v1/seals/{es_id}/stamp"):
        return "sh-org-1"
    if path.startswith("/v1/seals") and method.upper() == "POST":
        return "sh-seal-authority"
    if path == "/v1/seals/{es_id}":
        return "sh-seal-authority"
    return "sh-agency-psb"


def token(who: str) -> str:
    out = subprocess.run(
        [
            os.environ["DELTASEAL_BIN"],
            "token",
            "--agency",
            who,
            "--aud",
            os.environ["DELTASEAL_SERVER"],
            "--keys",
            os.environ["DELTASEAL_KEYS"],
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


@schemathesis.auth(refresh_interval=None)
class AgencyToken:
    def get(self, case, ctx):
        return token(party(case.method, case.path))

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
