"""One module per command that is not generated from the endpoint table."""
