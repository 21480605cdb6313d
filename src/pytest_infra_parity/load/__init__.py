"""The load room: Locust in its own processes, typed results, and rollouts under real load.

:mod:`.locust_run` runs Locust headless (never imported here: it patches the standard library with
gevent), :mod:`.results` parses its statistics, :mod:`.live_traffic` and :mod:`.canary_live` run the
emulated control planes on a clock compressed against real requests, :mod:`.compression` judges whether
the load was enough to decide.
"""

from __future__ import annotations
