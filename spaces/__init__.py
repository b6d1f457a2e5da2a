"""Search-space files and the only code that turns an Optuna trial into a configuration."""
