# SPDX-License-Identifier: MIT
"""Support code for framealloc-tidy-run: the runner, the --export-fixes YAML reader and the
SARIF 2.1.0 writer and checker. Standard library only, so CI needs nothing but python3."""

__version__ = "0.3.0"
