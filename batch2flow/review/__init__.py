"""`batch2flow review`: the workflows at two git revisions, compared.

One stage per module: `git` finds the repository and runs git read-only, `revision`
reads a revision into a `Graph`, `relation` reduces a workflow to workers and their
happens-before, `compare` and `diagnostics` diff two graphs, `highlight` marks a
head chart, and `markdown`, `json_out` and `annotations` render the result.
"""
