"""The built-in AWS policies, one per module, each decorated with ``@register_policy``.

Ids are ``IPP_<SERVICE>_<NNN>``, stable and never reused. Adding a module here adds a policy; the
test suite then demands a data fixture ``tests/policies/data/<ID>.yaml`` with pass/fail resources.
"""

from __future__ import annotations
