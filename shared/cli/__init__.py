"""The `pdz` command line: local stack, provisioning, tokens, processes, demo."""
