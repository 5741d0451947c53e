"""Pure decisions of the enforcement module: network analysis and the graph view."""
