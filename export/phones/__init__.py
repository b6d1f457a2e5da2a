"""The phone runtimes that check a build, each in a child process with its own small environment: MediaPipe
Tasks (what Android apps classify with) and the legacy TFLite Task Library, on the original test images."""
