#!/bin/sh
# Creates Temporal's two databases and brings their schemas to this server release's, with the
# server's own SQL tool (its schemas are embedded in it). compose's temporal-schema service runs it
# in temporalio/admin-tools; the cluster mode runs it natively with the tool it built
# (TEMPORAL_SQL_TOOL). The connection comes from the tool's own variables: SQL_PLUGIN, SQL_HOST,
# SQL_PORT, SQL_USER, SQL_PASSWORD. Safe to run again: each step finds its work done. A step that
# fails ends the script with its error.
set -eu
tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
for pair in temporal:temporal temporal_visibility:visibility; do
  database=${pair%%:*}
  schema=postgresql/v12/${pair#*:}
  "$tool" --database "$database" create-database
  "$tool" --database "$database" setup-schema -v 0.0
  "$tool" --database "$database" update-schema --schema-name "$schema"
done
