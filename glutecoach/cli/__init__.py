"""The command line (spec/cli.md): one module per command group, heavy imports inside commands."""
