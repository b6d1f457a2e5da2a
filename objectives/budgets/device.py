"""Device budgets, all checked before any training: the parameter count and the multiply-accumulates of
one inference (``objectives.budgets.macs``) on the built model, and the int8 file size and LiteRT latency on
the built model converted to int8 untrained (weights change nothing in either: the same operators run on the
same shapes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Int8Measurement:
    """The untrained model as a full-integer TFLite file, measured on this machine."""

    kb: float  # file size without metadata (the metadata and packed labels add about 1-2 KB)
    latency_ms: float  # median single-thread LiteRT invoke


@dataclass(frozen=True)
class DeviceBudgets:
    max_params: int | None = None
    max_macs: int | None = None  # multiply-accumulates of one inference: the compute a phone pays per image
    max_int8_kb: float | None = None  # the int8 .tflite file
    max_latency_ms: float | None = None  # single-thread LiteRT latency of the int8 model on this machine

    @property
    def needs_int8_model(self) -> bool:
        """Size and latency limits are checked on a converted model (a conversion, no training)."""
        return self.max_int8_kb is not None or self.max_latency_ms is not None

    @staticmethod
    def int8_kb_lower_bound(params: int) -> float:
        """An int8 file holds at least one byte per parameter, so this many KB is certain before export."""
        return params / 1024

    def constraints(self, params: int, int8: Int8Measurement | None = None, macs: int = 0) -> dict[str, float]:
        """Optuna constraint values (feasible when <= 0): how far over each limit the model is. Without
        ``int8`` the size is its certain lower bound and latency is left out."""
        found = {}
        if self.max_params is not None:
            found["params"] = float(params - self.max_params)
        if self.max_macs is not None:
            found["macs"] = float(macs - self.max_macs)
        if self.max_int8_kb is not None:
            found["int8_kb"] = (int8.kb if int8 else self.int8_kb_lower_bound(params)) - self.max_int8_kb
        if self.max_latency_ms is not None and int8 is not None:
            found["latency_ms"] = int8.latency_ms - self.max_latency_ms
        return found

    def violations(self, params: int, int8: Int8Measurement | None = None, macs: int = 0) -> list[str]:
        """One line per limit exceeded, with the measured value and the limit."""
        over = [key for key, value in self.constraints(params, int8, macs).items() if value > 0]
        kb = f"{int8.kb:.1f} KB" if int8 else f">= {self.int8_kb_lower_bound(params):.1f} KB"
        messages = {"params": lambda: f"{params:,} parameters > max_params {self.max_params:,}",
                    "macs": lambda: f"{macs:,} MACs per image > max_macs {self.max_macs:,}",
                    "int8_kb": lambda: f"int8 model {kb} > max_int8_kb {self.max_int8_kb:g}",
                    "latency_ms": lambda: f"int8 LiteRT latency {int8.latency_ms:.3f} ms > max_latency_ms "
                                          f"{self.max_latency_ms:g}"}
        return [messages[key]() for key in over]
