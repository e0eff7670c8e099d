#!/bin/sh
# Creates a throwaway CA and the two server certificates the compose example (docker-compose.yml) needs:
# the events server ("events") and the tenants service ("tenants"). For trying the stack on one machine
# only; in production use certificates from your own CA.
#
#   deploy/make-dev-certs.sh [OUT_DIR]      OUT_DIR defaults to deploy/certs (ignored by git)
#
# Writes ca.pem, events.pem, events-key.pem, tenants.pem, tenants-key.pem. The CA's private key is
# deleted once the certificates are signed, so nothing else can ever be signed by this CA.
# Each server certificate names its compose service, localhost and 127.0.0.1 (the container health check).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/certs"}
days=${CERT_DAYS:-90}

command -v openssl >/dev/null 2>&1 || {
  echo "make-dev-certs.sh: openssl is required" >&2
  exit 1
}

umask 077
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Extensions go through a file (not -addext) so LibreSSL, macOS's openssl, works too.
cat >"$work/ext.cnf" <<'EOF'
[ca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[events]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:events,DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid

[tenants]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:tenants,DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
EOF

new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

new_key "$work/ca-key.pem"
openssl req -new -key "$work/ca-key.pem" -subj "/CN=tenant-events example CA" -out "$work/ca.csr"
openssl x509 -req -in "$work/ca.csr" -signkey "$work/ca-key.pem" -days "$days" \
  -extfile "$work/ext.cnf" -extensions ca -out "$out/ca.pem" 2>/dev/null

for name in events tenants; do
  new_key "$out/$name-key.pem"
  openssl req -new -key "$out/$name-key.pem" -subj "/CN=$name" -out "$work/$name.csr"
  openssl x509 -req -in "$work/$name.csr" -CA "$out/ca.pem" -CAkey "$work/ca-key.pem" \
    -CAserial "$work/ca.srl" -CAcreateserial -days "$days" \
    -extfile "$work/ext.cnf" -extensions "$name" -out "$out/$name.pem" 2>/dev/null
done

# Compose bind-mounts secrets with their host permissions and the containers run as another user, so
# the files must be world-readable; the directory stays private to you on this machine.
chmod 700 "$out"
chmod 644 "$out/ca.pem" "$out/events.pem" "$out/events-key.pem" "$out/tenants.pem" "$out/tenants-key.pem"
echo "wrote $out: ca.pem, events.pem, events-key.pem, tenants.pem, tenants-key.pem (valid $days days)"
