"""The operator CLI, console and simulator (``elasticache-autoscaler``): installed with the project
(``pip install .`` / ``pipx install .``), never in the Lambda layer, which ships ``elasticache_autoscaler``
alone."""
