"""Schemathesis hooks for the node's API.

- Every request gets a fresh request token (each `jti` is accepted once) from
  `deltaseal token`, signed by the party the route needs — the seal authority for making
  and changing seals, an organisation signer for stamping, an issuing agency otherwise.
- At start the hooks make, through the API, the records the routes act on (a license, a
  proof request, a seal); every other generated case of an operation then uses them and
  a valid body, so that each operation's success answers are reached too, not only its
  refusals.
- Every answer is recorded as `METHOD PATH STATUS` in DELTASEAL_CONTRACT_LOG, for the
  test's check that every documented status is reached.

Environment: DELTASEAL_BIN (the binary), DELTASEAL_KEYS (the keys directory),
DELTASEAL_SERVER (the node's base URL), DELTASEAL_CONTRACT_LOG (the answers' log).
"""

import hashlib
import itertools
import json
import os
import ssl
import subprocess
import urllib.request

import schemathesis

SERVER = os.environ["DELTASEAL_SERVER"]
KEYS = os.environ["DELTASEAL_KEYS"]
AGENCY_USCC = "113100000024280004"  # sh-agency-psb
ID_CARD = "11100000000019713D001"
NO_CRIMINAL_RECORD = "11100000000019713D101"


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
            SERVER,
            "--keys",
            KEYS,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def citizen_id(n: int) -> str:
    """A resident identity number with its GB 11643 check character."""
    first17 = f"310101199001{n:05d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(d) * w for d, w in zip(first17, weights))
    return first17 + "10X98765432"[s % 11]


_serial = itertools.count(1)


def id_card() -> dict:
    code = citizen_id(next(_serial))
    return {
        "type_code": ID_CARD,
        "holder": "张三",
        "holder_code": code,
        "claims": {
            "name": "张三",
            "sex": "男",
            "ethnicity": "汉",
            "birth_date": "1990-01-01",
            "id_number": code,
            "address": "上海市黄浦区人民大道200号",
        },
    }


def proof_request() -> dict:
    return {
        "type_code": NO_CRIMINAL_RECORD,
        "applicant": "王五",
        "applicant_code": "310101198505050013",
        "purpose": "签证申请 visa application",
    }


def seal_body() -> dict:
    return {
        "name": "上海浦江示范有限公司合同专用章",
        "organisation": "上海浦江示范有限公司",
        "code": "合同专用章",
        "signers": ["sh-org-1"],
    }


def post(path: str, who: str, body: dict) -> dict:
    req = urllib.request.Request(
        SERVER + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + token(who)},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def cert_der(path: str) -> bytes:
    with open(os.path.join(KEYS, path), encoding="ascii") as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


# The records the routes act on, made once through the API.
LICENSE = post("/v1/licenses", "sh-agency-psb", id_card())
SEAL = post("/v1/seals", "sh-seal-authority", seal_body())
with open(os.path.join(KEYS, "sh/agency-psb.cert.pem"), encoding="ascii") as f:
    AGENCY_PEM = f.read()
REAL_PARAMS = {
    "identifier": LICENSE["identifier"],
    "agency": AGENCY_USCC,
    "list": LICENSE["status_list"]["uri"].rstrip("/").rsplit("/", 1)[-1],
    "uscc": AGENCY_USCC,
    "es_id": SEAL["es_id"],
    "authority": hashlib.sha256(cert_der("sh/seal-authority.cert.pem")).hexdigest(),
}


def fresh_proof_request() -> str:
    return post("/v1/proofs/requests", "sh-agency-psb", proof_request())["id"]


def valid_body(method: str, path: str):
    """A body the operation accepts, or None to keep the generated one."""
    if method != "POST":
        return None
    if path == "/v1/licenses":
        return id_card()
    if path == "/v1/licenses:batch":
        return {"items": [id_card(), id_card()]}
    if path.startswith("/v1/licenses/{identifier}/"):
        return {"reason": "contract test"}
    if path == "/v1/proofs/requests":
        return proof_request()
    if path.endswith("/refuse"):
        return {"reason": "contract test"}
    if path.endswith("/approve"):
        return {}
    if path.endswith("/issue"):
        return {"claims": {"name": "王五", "id_number": "310101198505050013", "result": "未发现犯罪记录"}}
    if path == "/v1/seals":
        return seal_body()
    if path == "/v1/seals/{es_id}/signers":
        return {"signers": ["sh-org-1"]}
    if path == "/v1/verify":
        return {"artifact": LICENSE["credential"]}
    if path == "/v1/verify:batch":
        return [{"artifact": LICENSE["credential"]}, {"artifact": AGENCY_PEM, "type": "certificate"}]
    if path == "/v1/certificates:validate":
        return {"certificate": AGENCY_PEM, "purpose": "license"}
    return None


_draws = {}


def unknown(value: str) -> str:
    """A value of the same form as `value` that names nothing: its first digit or hex
    letter moved on by one (another province's seal, agency or list; the last digit
    would name the seal's next version, which the signer changes make), so an unknown
    record is asked for, and answered 404, on a fixed draw rather than only when
    generation happens to hit one."""
    for i, c in enumerate(value):
        if c.isdigit():
            return value[:i] + str((int(c) + 1) % 10) + value[i + 1:]
        if c in "abcdef":
            return value[:i] + ("a" if c == "f" else chr(ord(c) + 1)) + value[i + 1:]
    return "0" + value


# Queries within the archive log the hooks' own issuance made.
ARCHIVE_QUERIES = {
    "/v1/archive/entries": {"from": "0", "count": "2"},
    "/v1/archive/records": {"from": "0", "count": "2"},
    "/v1/archive/proofs/inclusion": {"index": "0"},
    "/v1/archive/proofs/consistency": {"from": "1", "to": "1"},
}


@schemathesis.hook
def map_case(ctx, case):
    """Every other case of an operation acts on the real records with a valid body."""
    key = (case.method.upper(), case.path)
    n = _draws.get(key, 0)
    _draws[key] = n + 1
    if n % 4 == 1 and case.path_parameters:
        # a well-formed name of a record that does not exist
        for name in case.path_parameters:
            if name in REAL_PARAMS:
                case.path_parameters[name] = unknown(REAL_PARAMS[name])
        return case
    if n % 2:
        return case
    method, path = key
    if case.path_parameters:
        for name in case.path_parameters:
            if name == "id":
                if path.endswith("/issue"):
                    rid = fresh_proof_request()
                    post(f"/v1/proofs/requests/{rid}/approve", "sh-agency-psb", {})
                    case.path_parameters[name] = rid
                else:
                    case.path_parameters[name] = fresh_proof_request()
            elif name == "identifier" and path.startswith("/v1/licenses/{identifier}/"):
                # a fresh license, in the state the change applies to
                ident = post("/v1/licenses", "sh-agency-psb", id_card())["identifier"]
                if path.endswith("/reinstate"):
                    post(f"/v1/licenses/{ident}/suspend", "sh-agency-psb", {"reason": "contract test"})
                case.path_parameters[name] = ident
            elif name in REAL_PARAMS:
                case.path_parameters[name] = REAL_PARAMS[name]
    if path in ARCHIVE_QUERIES:
        case.query = ARCHIVE_QUERIES[path]
        return case
    if path == "/v1/seals/{es_id}/stamp":
        case.query = {"format": "detached", "name": "contract.txt"}
        case.body = b"a document to stamp"
        case.media_type = "application/octet-stream"
        return case
    body = valid_body(method, path)
    if body is not None:
        case.body = body
        case.media_type = "application/json"
    return case


@schemathesis.hook
def after_call(ctx, case, response):
    log = os.environ.get("DELTASEAL_CONTRACT_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{case.method.upper()} {case.path} {response.status_code}\n")


@schemathesis.auth(refresh_interval=None)
class AgencyToken:
    def get(self, case, ctx):
        return token(party(case.method, case.path))

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
