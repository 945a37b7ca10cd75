"""Verify a deltaseal trust list (compact JWS, ES256) with jwcrypto, independently of
the project's own code: the x5c leaf must equal the pinned signer certificate, the
signature must verify with that certificate's key, and the payload must be the list.

Usage: verify_trust_list.py SIGNER.pem < LIST.jws
Prints the sequence and the number of provinces; exits 1 if anything does not check.
"""
import base64
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from jwcrypto import jwk, jws


def main() -> int:
    pem = open(sys.argv[1], "rb").read()
    cert = x509.load_pem_x509_certificate(pem)
    token = sys.stdin.read().strip()
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    if header.get("typ") != "trust-list+jwt" or header.get("alg") != "ES256":
        print("unexpected header", header)
        return 1
    leaf = base64.b64decode(header["x5c"][0])
    if leaf != cert.public_bytes(serialization.Encoding.DER):
        print("x5c leaf is not the pinned signer")
        return 1
    key = jwk.JWK.from_pem(cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    obj = jws.JWS()
    obj.deserialize(token)
    try:
        obj.verify(key, alg="ES256")
    except Exception as e:  # jwcrypto raises InvalidJWSSignature
        print("signature does not verify:", e)
        return 1
    doc = json.loads(obj.payload)
    print(doc["sequence"], len(doc["provinces"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
