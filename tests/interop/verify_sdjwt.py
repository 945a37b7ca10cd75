#!/usr/bin/env python3
"""Verify an SD-JWT VC presentation with implementations written elsewhere.

Usage: verify_sdjwt.py FILE [AUD NONCE]

FILE holds the compact presentation. Disclosures, `_sd` digests and the key binding JWT
(when AUD and NONCE are given) are checked by the OpenWallet `sd-jwt` reference package
(`sd_jwt.verifier.SDJWTVerifier`). The issuer signature is checked with the public key
of the header's x5c leaf:
- ES256: by `sd_jwt` itself (jwcrypto), the key read with `cryptography`;
- SM2 (private-use alg, SM2 with SM3 and the default signer ID, raw r||s): by the
  pure-Python `gmssl` package, the key read with `asn1crypto`.
Prints the verified claims as JSON; exits non-zero on any failure.
"""
import base64
import json
import sys

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from gmssl import sm2
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def issuer_key(_issuer, header):
    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    return JWK.from_pyca(leaf.public_key())


class Sm2Verifier(SDJWTVerifier):
    """The reference verifier with the issuer signature checked by gmssl."""

    def _verify_sd_jwt(self, cb_get_issuer_key, sign_alg=None):
        h, p, s = self._unverified_input_sd_jwt.split(".")
        header = json.loads(b64url_decode(h))
        if header.get("alg") != "SM2":
            raise ValueError("not an SM2 credential")
        leaf = asn1_x509.Certificate.load(base64.b64decode(header["x5c"][0]))
        point = leaf.public_key["public_key"].native
        if len(point) != 65 or point[0] != 4:
            raise ValueError("leaf key is not an uncompressed point")
        verifier = sm2.CryptSM2(private_key=None, public_key="00")
        verifier.public_key = point[1:].hex()  # set directly: the constructor strips "04" chars
        signature = b64url_decode(s)
        if len(signature) != 64 or not verifier.verify_with_sm3(signature.hex(), f"{h}.{p}".encode("ascii")):
            raise ValueError("SM2 issuer signature does not verify")
        self._sd_jwt_payload = json.loads(b64url_decode(p))
        self._holder_public_key_payload = self._sd_jwt_payload.get("cnf", None)


def main():
    text = open(sys.argv[1], encoding="ascii").read().strip()
    aud, nonce = (sys.argv[2], sys.argv[3]) if len(sys.argv) == 4 else (None, None)
    alg = json.loads(b64url_decode(text.split(".", 1)[0]))["alg"]
    cls = Sm2Verifier if alg == "SM2" else SDJWTVerifier
    verifier = cls(text, issuer_key, expected_aud=aud, expected_nonce=nonce)
    json.dump(verifier.get_verified_payload(), sys.stdout, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    main()
