"""One configuration trained: cross-validation over the folds, the augmentation generators and the featurewise
standardisation layer they may put in the model."""
