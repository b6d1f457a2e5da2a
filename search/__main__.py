"""``python -m search``. TensorFlow's C++ start-up chatter hides the lines users need (real errors still
surface); it is quieted here, in the program, before anything imports TensorFlow, not in a package's
``__init__`` where it would change the environment of every importer."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from search.cli import main  # noqa: E402  (after the environment is set)

raise SystemExit(main())
