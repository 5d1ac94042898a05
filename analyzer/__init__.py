"""termshift: finds where terms of service and AI-agent policies shift responsibility.

The library entry points live in `analyzer.api`: `analyze`, `compare`, `check`, `timeline`.
"""

__version__ = "0.1.0"
