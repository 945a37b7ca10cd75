#!/usr/bin/env python3
"""Make SM2 signatures with the pure-Python `gmssl` package, for the SM2 agreement test.

Usage: sm2_sign_gmssl.py COUNT

Generates a fresh key (a random scalar, its point computed by gmssl) and signs COUNT
messages of different lengths with SM3 and the default signer ID (`sign_with_sm3`).
Prints JSON: {"public_key": "04||x||y" hex, "signatures": [{"msg": hex, "sig": r||s hex}]}.
"""
import json
import secrets
import sys

from gmssl import func, sm2

N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


def main():
    count = int(sys.argv[1])
    d = secrets.randbelow(N - 2) + 1
    d_hex = "%064x" % d
    signer = sm2.CryptSM2(private_key=d_hex, public_key="")
    signer.public_key = signer._kg(d, sm2.default_ecc_table["g"])
    out = {"public_key": "04" + signer.public_key, "signatures": []}
    for n in range(count):
        msg = bytes((i * 13 + n) & 0xFF for i in range(n * 41))
        sig = signer.sign_with_sm3(msg, func.random_hex(signer.para_len))
        assert signer.verify_with_sm3(sig, msg)
        out["signatures"].append({"msg": msg.hex(), "sig": sig})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
