"""Interpreting the indexed Ruby: which batches, jobs and callbacks each starter sets in motion."""
