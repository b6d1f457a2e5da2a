"""From a study's Pareto front to a phone: refit, convert to TFLite, write metadata, verify with LiteRT, promote."""
