#!/bin/sh
# Start of a worker container: pull the models to the local cache, then run `saekdam worker`.
# The worker loads the models before it takes any job; if they cannot load it exits (state "unavailable"
# on the ops page for a moment) instead of failing jobs. MODELS_PULL_ON_START=0 skips the pull (air-gapped
# hosts whose /models volume was filled by hand).
set -eu
if [ "${MODELS_PULL_ON_START:-1}" != "0" ] && [ "${SAEKDAM_MODELS:-auto}" != "tiny" ]; then
  saekdam models pull || echo "saekdam-worker: 'saekdam models pull' failed; starting with what ${SAEKDAM_MODELS_DIR:-var/models} holds" >&2
fi
exec saekdam worker "$@"
