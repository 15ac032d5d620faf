"""A layer module of the throwaway SAM app."""

VALUE = "from-layer"
