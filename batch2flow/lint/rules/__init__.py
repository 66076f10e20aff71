"""One module per lint rule, named after its code (`b2f101.py` is B2F101)."""
