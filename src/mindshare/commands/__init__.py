"""CLI verbs, one module per group. Each module has `register(app)`."""
