#!/bin/sh
# Runs once LocalStack is ready: record the moment so the plugin's health check and logs agree.
echo "infra-parity: LocalStack ready at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
