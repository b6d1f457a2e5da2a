"""The trial loop: a run or a worker prepared and checked (run, settings_check), trials run until the budget
(optimise), one trial's training and record (objective), and the progress shown meanwhile."""
