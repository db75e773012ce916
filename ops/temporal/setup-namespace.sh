#!/bin/sh
# Registers the shop's namespace (TEMPORAL_NAMESPACE, with NAMESPACE_RETENTION) and the search
# attributes its payment workflow sets (SEARCH_ATTRIBUTES: `Name=Type` ...), with the Temporal CLI
# (TEMPORAL_CLI) on the server at TEMPORAL_ADDRESS. compose's temporal-setup service runs it in
# temporalio/admin-tools; the cluster mode runs it natively. Safe to run again: an existing namespace
# is kept, an existing search attribute is left alone by the server. A step that fails ends the
# script with its error.
set -eu
cli=${TEMPORAL_CLI:-temporal}
namespace=${TEMPORAL_NAMESPACE:-default}

tries=0
until "$cli" operator cluster health; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "Temporal at $TEMPORAL_ADDRESS is not serving after 60 tries" >&2; exit 1; fi
  sleep 2
done

if ! "$cli" operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  "$cli" operator namespace create --namespace "$namespace" --retention "$NAMESPACE_RETENTION"
fi
# A new namespace can be described at once, but the frontends' namespace cache learns of it only
# at its next refresh (up to 10 s): a search attribute registered before that fails with
# "Namespace ... is not found" (seen on a real server). Listing the namespace's search attributes
# goes through that cache, so once it answers, the registration can. Waiting is bounded and each
# failed try is printed.
tries=0
until "$cli" operator search-attribute list --namespace "$namespace" >/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then echo "namespace $namespace is not known to the frontend after 30 tries" >&2; exit 1; fi
  sleep 1
done

for spec in $SEARCH_ATTRIBUTES; do
  "$cli" operator search-attribute create --namespace "$namespace" --name "${spec%%=*}" --type "${spec#*=}"
done
