"""Parse each DER certificate with Python `cryptography` (strict DER): subject, issuer,
serial, validity and every extension; print one line per file, exit 1 on the first refusal."""
import sys

from cryptography import x509

for path in sys.argv[1:]:
    with open(path, "rb") as f:
        der = f.read()
    try:
        cert = x509.load_der_x509_certificate(der)
        exts = [e.oid.dotted_string for e in cert.extensions]
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        print(path, cert.serial_number > 0, cert.subject.rfc4514_string() != "", bc.value.ca, len(exts))
        cert.issuer.rfc4514_string()
        cert.not_valid_before_utc
        cert.not_valid_after_utc
    except Exception as e:  # noqa: BLE001 - report what the parser refused
        print(f"{path}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
