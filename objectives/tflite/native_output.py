"""The TFLite converter and the LiteRT interpreter write C++ log lines ("Ignored output_format",
"Created TensorFlow Lite XNNPACK delegate") straight to the process's stderr, past Python and past
TF_CPP_MIN_LOG_LEVEL; between them they buried the export report. They are held back here and shown
only when the call they came from fails, since then they are the explanation."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def native_stderr_held() -> Iterator[None]:
    """Send file descriptor 2 to a scratch file for the duration; replay it if the block raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            scratch.seek(0)
            sys.stderr.write(scratch.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
