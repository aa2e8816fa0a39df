"""One module per source: each turns a provider's data into observations for the store."""
