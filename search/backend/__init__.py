"""Where trials run: the processes of a study (local workers), the signals that stop them, whose trial is
whose (liveness) and the memory each trial leaves behind (garbage)."""
