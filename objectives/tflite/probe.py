"""A model's int8 size and LiteRT latency before it is trained, for the device budgets of a study.

The untrained model is converted exactly as the export converts the trained one (``convert``) and timed
exactly as verification times it (``median_invoke_ms``, also used by ``verify``), so a budget means the same
number in the search and in the model card.
"""

from __future__ import annotations

import statistics
import time

import keras
import numpy as np
from ai_edge_litert.interpreter import Interpreter

from objectives.budgets.device import Int8Measurement
from objectives.tflite.convert import to_int8
from objectives.tflite.native_output import native_stderr_held

LATENCY_RUNS = 200  # single-thread invokes timed per model; the median is reported


def measure_int8(model: keras.Model, training_images: np.ndarray, seed: int) -> Int8Measurement:
    """Convert (calibrated on the trial's own uint8 images) and time one single-thread invoke."""
    content = to_int8(model, training_images, seed)
    with native_stderr_held():
        interpreter = Interpreter(model_content=content, num_threads=1)
        interpreter.allocate_tensors()
    details = interpreter.get_input_details()[0]
    interpreter.set_tensor(details["index"], training_images[:1].astype(details["dtype"]))
    return Int8Measurement(kb=len(content) / 1024, latency_ms=median_invoke_ms(interpreter))


def median_invoke_ms(interpreter: Interpreter, runs: int = LATENCY_RUNS) -> float:
    """Median wall time of ``invoke`` (input already set), after a warm-up run."""
    interpreter.invoke()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        interpreter.invoke()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0
