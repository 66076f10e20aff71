"""Three-way equivalence: the Ruby oracle, the graph, and the generated flows."""
