"""Hypothesis profiles: ``ci`` (default: derandomized, no deadline), ``dev``, ``thorough``.

Choose with ``HYPOTHESIS_PROFILE=dev pytest`` etc.

Every module of the three packages is imported here, before any test runs: hypothesis mixes
the literal constants of the local modules loaded so far into its draws, so a module imported
lazily by an earlier test (a figure, the CLI) would change a later test's examples, and a
derandomized run would depend on how xdist shared out the tests.
"""

import importlib
import os
import pkgutil

from hypothesis import HealthCheck, settings


def _import_everything() -> None:
    for name in ("bounds", "montecarlo", "reports"):
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, name + "."):
            if info.name.rsplit(".", 1)[-1] == "__main__":
                continue
            try:
                importlib.import_module(info.name)
            except ImportError:  # an optional extra that is not installed
                pass


_import_everything()

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.filter_too_much])
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, print_blob=True, **_common)
settings.register_profile("dev", max_examples=20, **_common)
settings.register_profile("thorough", max_examples=2000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
