"""Everything a trial needs once it is a plain configuration: data, folds, augmentation, models, training."""
