"""What a phone can afford: the device budgets (parameters, MACs, int8 size and latency) and a model's MACs."""
