"""The command line and the study runner: ``python -m search --help``."""

import os

# TensorFlow's C++ start-up chatter hides the lines users need; real errors still surface.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
