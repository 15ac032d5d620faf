"""In-memory fakes of the adapters, held by the type checker to the same Protocols as the real ones."""
