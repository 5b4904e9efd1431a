"""Settings shared by the whole test suite.

Hypothesis profiles: "default" keeps each property test to a few dozen
examples so that the suite stays fast on a laptop CPU, and "thorough" runs
ten times more for a local bug hunt. Pick one with the environment
variable HYPOTHESIS_PROFILE, e.g. `HYPOTHESIS_PROFILE=thorough pytest`.
Deadlines are off because gradcheck and the PyTorch oracle make a single
example slow on its first call (imports, caches), which is not a bug.
"""

import os

from hypothesis import settings

settings.register_profile("default", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
