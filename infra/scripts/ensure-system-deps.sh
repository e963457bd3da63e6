#!/usr/bin/env bash
# Installs the Debian packages the full system and its tests need when they are missing: a Java runtime and Maven for
# the local Kafka broker, and Chromium for the browser tests. Does nothing on a machine that has them.
set -euo pipefail
missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null || [ "$(id -u)" -ne 0 ]; then
  echo "wearwatch: missing system packages: ${missing[*]}; install them with your package manager (as root on Debian: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "wearwatch: installing system packages: ${missing[*]} (apt-get)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
