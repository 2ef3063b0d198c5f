#!/bin/sh
# Builds the function apps and the local host (tests skipped), then runs the whole local DPS on embedded
# defaults: HTTPS on localhost:8443, SQLite store and certificates in .dps-local/. Settings: README.md.
set -e
cd "$(dirname "$0")"
./mvnw -B -q -ntp package -DskipTests
exec java ${DPS_LOCAL_JAVA_OPTS:-} -jar local-host/target/opendps-local-host.jar "$@"
