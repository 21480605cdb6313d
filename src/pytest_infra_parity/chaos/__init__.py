"""The chaos room: parallel build races, state locks, deployments killed mid-way.

Everything here runs real processes (builds, a deployment in a subprocess) or talks to the target;
boto3 is imported lazily, inside the functions that need it.
"""

from __future__ import annotations
