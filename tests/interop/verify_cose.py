"""Verify a project-made COSE_Sign1 (a show token's innermost layer) with pycose.

Usage: verify_cose.py COSE_FILE CERT_PEM
Checks, with code nobody in this project wrote: the COSE_Sign1 decodes (pycose), its
algorithm is ES256, its kid is the first 8 bytes of SHA-256 of the certificate's DER,
and the signature verifies under the certificate's P-256 key. Prints the payload's CWT
claims as JSON (byte strings as hex) on success; exits 1 with the reason otherwise.
"""
import hashlib
import json
import sys

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import Sign1Message


def main() -> int:
    cose = open(sys.argv[1], "rb").read()
    cert = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
    der = cert.public_bytes(Encoding.DER)
    msg = Sign1Message.decode(cose)
    if msg.get_attr(Algorithm) != Es256:
        print(f"algorithm {msg.get_attr(Algorithm)} is not ES256", file=sys.stderr)
        return 1
    kid = msg.get_attr(KID)
    if kid != hashlib.sha256(der).digest()[:8]:
        print("kid does not name the certificate", file=sys.stderr)
        return 1
    nums = cert.public_key().public_numbers()
    msg.key = EC2Key(crv=P256, x=nums.x.to_bytes(32, "big"), y=nums.y.to_bytes(32, "big"))
    if not msg.verify_signature():
        print("signature does not verify", file=sys.stderr)
        return 1
    claims = cbor2.loads(msg.payload)

    def plain(v):
        if isinstance(v, bytes):
            return v.hex()
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        return v

    print(json.dumps(plain(claims)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
