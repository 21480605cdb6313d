#!/bin/sh
# Runs once LocalStack is ready: list the services LocalStack loaded, so the log shows what a run had.
# (The plugin still probes each service: loaded is not the same as working offline.)
python3 - <<'PY' 2>/dev/null || echo "infra-parity: could not read /_localstack/health"
import json, os, urllib.request
port = os.environ.get("GATEWAY_LISTEN", "127.0.0.1:4566").rsplit(":", 1)[-1]
with urllib.request.urlopen(f"http://127.0.0.1:{port}/_localstack/health", timeout=5) as answer:
    states = json.load(answer).get("services", {})
print("infra-parity: LocalStack loaded " + ", ".join(f"{k}={v}" for k, v in sorted(states.items())))
PY
