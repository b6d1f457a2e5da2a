"""Device budgets that are known before training: checked on the built model, never by training it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceBudgets:
    max_params: int | None = None
    max_int8_kb: float | None = None  # the int8 .tflite file

    @staticmethod
    def int8_kb_lower_bound(params: int) -> float:
        """An int8 file holds at least one byte per parameter, so this many KB is certain before export."""
        return params / 1024

    def constraints(self, params: int) -> dict[str, float]:
        """Optuna constraint values (feasible when <= 0): how far over each limit the model is."""
        found = {}
        if self.max_params is not None:
            found["params"] = float(params - self.max_params)
        if self.max_int8_kb is not None:
            found["int8_kb"] = self.int8_kb_lower_bound(params) - self.max_int8_kb
        return found

    def violations(self, params: int) -> list[str]:
        messages = {"params": f"{params:,} parameters > max_params {self.max_params:,}",
                    "int8_kb": f"int8 model >= {self.int8_kb_lower_bound(params):.1f} KB > max_int8_kb {self.max_int8_kb}"}
        return [messages[key] for key, value in self.constraints(params).items() if value > 0]
