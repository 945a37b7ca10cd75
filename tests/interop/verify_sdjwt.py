#!/usr/bin/env python3
"""Verify an SD-JWT VC presentation with the OpenWallet `sd-jwt` reference package.

Usage: verify_sdjwt.py FILE [AUD NONCE]

FILE holds the compact presentation. The issuer key is taken from the leaf of the
header's x5c (parsed with `cryptography`); `sd_jwt.verifier.SDJWTVerifier` checks the
issuer signature, every disclosure digest and, when AUD and NONCE are given, the key
binding JWT. Prints the verified claims as JSON; exits non-zero on any failure.
"""
import base64
import json
import sys

from cryptography import x509
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier


def issuer_key(_issuer, header):
    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    return JWK.from_pyca(leaf.public_key())


def main():
    text = open(sys.argv[1], encoding="ascii").read().strip()
    aud, nonce = (sys.argv[2], sys.argv[3]) if len(sys.argv) == 4 else (None, None)
    verifier = SDJWTVerifier(text, issuer_key, expected_aud=aud, expected_nonce=nonce)
    json.dump(verifier.get_verified_payload(), sys.stdout, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    main()
