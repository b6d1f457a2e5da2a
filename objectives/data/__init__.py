"""The images: a data folder read and checked, resized once per size into a cache, split into the held-out
test set and the search set's folds, and the bundled digits."""
