"""Project-level pytest configuration.

The plugin itself is loaded through its ``pytest11`` entry point (``pip install -e '.[test]'``);
``pytester`` drives the plugin's own tests in ``tests/plugin``.
"""

from __future__ import annotations

pytest_plugins = ("pytester",)
