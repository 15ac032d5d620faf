"""Adapters at the edge: one small interface per AWS service, a boto3 implementation and an in-memory fake."""
