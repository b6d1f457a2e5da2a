"""The int8 conversion on the degenerate model a study can put on its front: a one-filter plain network
trained to chance, whose ReLU never fires."""

from __future__ import annotations

import keras
import numpy as np
from ai_edge_litert.interpreter import Interpreter

from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.tflite.convert import to_int8


def dead_relu_model(size: int = 8, classes: int = 10) -> keras.Model:
    """Plain family, 1 conv block of 1 filter, valid padding, Flatten, softmax: the bias keeps the ReLU at 0,
    so the output is the softmax of the Dense bias alone (a constant prediction, chance accuracy)."""
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Conv2D(1, 3, padding="valid", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    rng = np.random.default_rng(1)
    conv, dense = model.layers[1], model.layers[-1]
    conv.set_weights([rng.normal(0, 0.3, conv.get_weights()[0].shape).astype("float32"), np.array([-100.0], "float32")])
    dense.set_weights([dense.get_weights()[0], rng.normal(0, 0.1, classes).astype("float32")])
    return model


def test_a_model_whose_relu_never_fires_gives_an_int8_file_litert_runs_and_that_matches_keras():
    model = dead_relu_model()
    images = np.random.default_rng(0).integers(0, 256, (40, 8, 8, 3), dtype=np.uint8)
    interpreter = Interpreter(model_content=to_int8(model, images, seed=0), num_threads=1)
    interpreter.allocate_tensors()  # LiteRT refused the converter's own file here (XNNPACK: failed to prepare)
    inputs, output = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    interpreter.set_tensor(inputs["index"], images[:1])
    interpreter.invoke()
    scale, zero_point = output["quantization"]
    int8_scores = (interpreter.get_tensor(output["index"])[0].astype(np.float32) - zero_point) * scale
    keras_scores = model.predict(INPUT_NORMALISATION.apply(images[:1]), verbose=0)[0]
    # near-equal chance-level probabilities: a few output steps (1/256) apart, argmax may flip on a tie
    assert np.max(np.abs(int8_scores - keras_scores)) < 0.02
