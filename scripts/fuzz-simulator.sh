#!/usr/bin/env bash
# Fuzzes the CERT simulator against its own contract with schemathesis (PyPI): every operation of
# Sources/AMCashContract/openapi.yaml, valid and invalid inputs, checking that no request gets a
# server error and that every response matches the schema.
#
#   scripts/fuzz-simulator.sh [MAX_EXAMPLES] [SEED]      (defaults: 200, 1)
#
# Installs schemathesis with pip if it is missing. Talks only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
max_examples="${1:-200}"
seed="${2:-1}"

command -v st >/dev/null 2>&1 || python3 -m pip install --quiet 'schemathesis==4.32.5'

swift build --product amcash
binary="$(swift build --show-bin-path)/amcash"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
work="$(mktemp -d)"
"$binary" sim --port "$port" --log-level error > "$work/sim.log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
    grep -q "listening" "$work/sim.log" 2>/dev/null && break
    sleep 0.1
done

token="$(curl -sf -X POST "http://127.0.0.1:$port/oauth/token" \
    -d grant_type=client_credentials -d client_id=amcash-training -d client_secret=cert-simulator-only \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

st run Sources/AMCashContract/openapi.yaml \
    --url "http://127.0.0.1:$port" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "$max_examples" --seed "$seed" \
    --workers 2 --generation-database none --warnings off
