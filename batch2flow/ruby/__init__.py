"""Reading Ruby: tree-sitter node helpers and the index of classes, modules and methods."""
