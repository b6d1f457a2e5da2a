"""What runs next and what stops: the samplers, early stopping across folds and its rungs (promotion), and
the study's time budget."""
