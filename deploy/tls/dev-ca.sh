#!/usr/bin/env bash
# A development certificate authority and the certificates of the production topology's mTLS, for
# `npm run stack:prod-local` and for trying docker-compose.prod.yml on one machine. A real deployment issues these
# from its own PKI (same file names, same usages); nothing here is meant for production.
#
#   deploy/tls/dev-ca.sh DIR
#
# Writes into DIR (created 0700; keys 0600, certificates 0644), ECDSA P-256, PEM:
#   ca.pem, ca-key.pem               the CA (its key signs the others; keep it off every server)
#   frontend.pem, frontend-key.pem   the Temporal frontend's server certificate (names below)
#   internode.pem, internode-key.pem Temporal's history/matching/frontend talking to each other (server + client)
#   nats-server.pem, nats-server-key.pem  the NATS servers' certificate for their clients (NATS_TLS_CERT/KEY; names:
#                                    the ones below and nats, nats-1, nats-2, nats-3)
#   nats-route.pem, nats-route-key.pem    the NATS nodes' certificate for the routes between them, mutual TLS
#                                    (NATS_ROUTE_CERT/KEY, the CA as NATS_ROUTE_CA; server and client use, same names)
#   <client>.pem, <client>-key.pem   client certificates, one per caller of the frontend, so each can be revoked
#                                    and told apart in the server's logs: system-worker (the server's own internal
#                                    worker), worker (orchestrator workers), gateway, ui (the Web UI server), admin
#                                    (the operator's CLI, setup jobs, tests)
# Idempotent: an existing certificate is kept while it verifies against ca.pem and is valid for 30 more days;
# otherwise it is issued again (a new CA re-issues everything). Server names: localhost, 127.0.0.1 and ::1 (the
# process topology), temporal (the compose service name), plus TLS_EXTRA_SANS (e.g. "DNS:temporal.example.org").
set -euo pipefail

dir=${1:?usage: dev-ca.sh DIR}
DAYS=${TLS_DAYS:-397}
CLIENTS=(system-worker worker gateway ui admin)
SERVER_SANS="DNS:localhost,IP:127.0.0.1,IP:::1,DNS:temporal${TLS_EXTRA_SANS:+,$TLS_EXTRA_SANS}"

command -v openssl >/dev/null 2>&1 || {
  echo 'dev-ca: openssl is required (Debian: apt-get install openssl)' >&2
  exit 1
}
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Still good: signed by the current CA and not expiring within 30 days.
valid() {
  [ -f "$1" ] && [ -f "${1%.pem}-key.pem" ] &&
    openssl verify -CAfile "$dir/ca.pem" "$1" >/dev/null 2>&1 &&
    openssl x509 -in "$1" -noout -checkend $((30 * 86400)) >/dev/null 2>&1
}

issued=()
if ! [ -f "$dir/ca.pem" ] || ! [ -f "$dir/ca-key.pem" ] ||
  ! openssl x509 -in "$dir/ca.pem" -noout -checkend $((30 * 86400)) >/dev/null 2>&1; then
  new_key "$dir/ca-key.pem"
  openssl req -x509 -new -key "$dir/ca-key.pem" -sha256 -days 3650 \
    -subj '/O=case-orchestrator dev/CN=case-orchestrator dev CA' \
    -addext 'basicConstraints=critical,CA:TRUE,pathlen:0' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -out "$dir/ca.pem"
  issued+=(ca)
fi

# issue NAME EXTENSIONS...: a key and a certificate signed by the CA.
issue() {
  local name=$1 ext
  shift
  valid "$dir/$name.pem" && return 0
  ext=$(mktemp)
  printf '%s\n' "$@" >"$ext"
  new_key "$dir/$name-key.pem"
  openssl req -new -key "$dir/$name-key.pem" -subj "/O=case-orchestrator dev/CN=$name" -out "$dir/$name.csr"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
    -days "$DAYS" -sha256 -extfile "$ext" -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
  issued+=("$name")
}

base=('basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature')
issue frontend "${base[@]}" 'extendedKeyUsage=serverAuth' "subjectAltName=$SERVER_SANS"
issue internode "${base[@]}" 'extendedKeyUsage=serverAuth,clientAuth' "subjectAltName=$SERVER_SANS"
NATS_SANS="DNS:localhost,IP:127.0.0.1,IP:::1,DNS:nats,DNS:nats-1,DNS:nats-2,DNS:nats-3${TLS_EXTRA_SANS:+,$TLS_EXTRA_SANS}"
issue nats-server "${base[@]}" 'extendedKeyUsage=serverAuth' "subjectAltName=$NATS_SANS"
issue nats-route "${base[@]}" 'extendedKeyUsage=serverAuth,clientAuth' "subjectAltName=$NATS_SANS"
for client in "${CLIENTS[@]}"; do
  issue "$client" "${base[@]}" 'extendedKeyUsage=clientAuth' "subjectAltName=DNS:$client"
done
chmod 644 "$dir"/*.pem
chmod 600 "$dir"/*-key.pem
rm -f "$dir/ca.srl"
if [ ${#issued[@]} -gt 0 ]; then
  echo "dev-ca: issued ${issued[*]} in $dir"
fi
