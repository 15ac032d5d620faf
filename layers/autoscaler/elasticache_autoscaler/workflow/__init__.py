"""The workflow's steps as plain functions: each handler parses its event and calls exactly one of these."""
