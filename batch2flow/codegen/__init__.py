"""Generating Prefect flows from the workflow graph."""
