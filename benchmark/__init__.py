"""Quota benchmark: the planner against fixed-interval baselines on the simulator."""
