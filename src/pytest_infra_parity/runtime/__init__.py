"""The runtime room: a local Lambda runtime, its data plane, and a local HTTP API (API Gateway v2).

On targets that execute no function (moto, LocalStack without Docker) the plugin runs the deployed
handlers itself: :mod:`.lambda_runtime` (warm workers, concurrency, timeouts, errors, metrics),
:mod:`.gateway` (HTTP APIs: routes, payload format 2.0, JWT authorizers), :mod:`.dataplane` (Lambda
Invoke and AppConfig Data) and :mod:`.standins` (local PostgreSQL and Redis). boto3 and cryptography are
imported lazily; the workers (:mod:`.bootstrap_python`, ``bootstrap_node.js``) import nothing of the plugin.
"""

from __future__ import annotations
