#!/bin/sh
# Registers the namespace and our custom search attributes once the Temporal server answers. Runs in the
# temporalio/admin-tools image (docker-compose.prod.yml, service temporal-setup); the workers start only after
# it has succeeded, so their first upsertSearchAttributes finds every attribute defined.
#
#   setup-namespace.sh --search-attribute=Name=Type ...
#
# The attribute list is passed by the compose file in the same `Name=Type` form as the dev server's flags, and
# test/unit/dev-stack.test.ts checks both lists against src/temporal/search-attributes.json. With SQL visibility
# (PostgreSQL) search attributes belong to a namespace, so the namespace comes first. Idempotent: an existing
# namespace or attribute is left as it is.
set -eu

: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS (host:port of the frontend)}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-30d}"

# retry WHAT COMMAND...: up to 30 tries, 2 s apart (the server may still be starting, caches may lag).
retry() {
  what=$1
  shift
  n=0
  until "$@"; do
    n=$((n + 1))
    if [ "$n" -ge 30 ]; then
      echo "setup-namespace: gave up: $what" >&2
      return 1
    fi
    echo "setup-namespace: not yet: $what (try $n)"
    sleep 2
  done
}

retry 'server health' temporal operator cluster health --address "$TEMPORAL_ADDRESS"

ensure_namespace() {
  temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1 ||
    temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" --retention "$RETENTION"
}
retry "namespace $NAMESPACE" ensure_namespace

# Older servers answer "already exists" where newer ones succeed quietly: both mean it is there.
create_attribute() {
  if out=$(temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" \
    --name "$1" --type "$2" 2>&1); then
    return 0
  fi
  case "$out" in
  *'already exists'*) return 0 ;;
  *)
    echo "$out" >&2
    return 1
    ;;
  esac
}

names=''
for arg in "$@"; do
  case "$arg" in
  --search-attribute=*=*)
    pair=${arg#--search-attribute=}
    name=${pair%%=*}
    type=${pair#*=}
    retry "search attribute $name ($type)" create_attribute "$name" "$type"
    names="$names $name"
    ;;
  *)
    echo "setup-namespace: unexpected argument: $arg (want --search-attribute=Name=Type)" >&2
    exit 2
    ;;
  esac
done

listed=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE")
for name in $names; do
  if ! printf '%s\n' "$listed" | grep -qw "$name"; then
    echo "setup-namespace: $name is not listed after creation" >&2
    exit 1
  fi
done
echo "setup-namespace: namespace $NAMESPACE ready with search attributes:$names"
