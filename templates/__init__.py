"""Jinja templates of the files batch2flow writes (installed as `batch2flow.templates`)."""
