"""Renderers: turn a finished `Graph` into text for people or tools.

One public function per format (`render_json`, `render_mermaid`, `render_text`); each
takes the graph and returns a string. None of them touches the disk or prints: the CLI
decides where the text goes.
"""
