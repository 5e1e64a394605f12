import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")

# Two logical CPUs for the MirroredStrategy checks; must happen before TF starts.
from lecun_zoo.testing import use_logical_cpus  # noqa: E402

use_logical_cpus(2)
