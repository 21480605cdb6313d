"""A pack module that forgot to decorate its policies."""

from __future__ import annotations

VALUE = 1
