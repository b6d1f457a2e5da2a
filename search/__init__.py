"""The command line and the study runner: ``python -m search --help``."""
