"""Hypothesis profiles: ``ci`` (default: derandomized, no deadline), ``dev``, ``thorough``.

Choose with ``HYPOTHESIS_PROFILE=dev pytest`` etc.
"""

import os

from hypothesis import HealthCheck, settings

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.filter_too_much])
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, print_blob=True, **_common)
settings.register_profile("dev", max_examples=20, **_common)
settings.register_profile("thorough", max_examples=2000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
