"""This machine: whether a model trains in the memory available now, and which process is which."""
