"""`batch2flow lint`: one rule a file under `rules/`, reading the graph, the index and the trees.

The rules run inside `build_graph`, so `graph --format json` and `lint` report the same
findings; `lint` adds what a linter needs on top (select/ignore, configuration, formats,
fixes).
"""
