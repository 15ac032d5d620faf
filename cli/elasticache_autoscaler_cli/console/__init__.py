"""The operator console: ``decisions``, ``clusters``, ``preview`` and ``policy``, against a deployed stack
found by name (``--stack``). Each command is a module; ``commands`` wires them into the CLI."""
