"""ElastiCache Autoscaler: the shared package every Lambda function imports from its layer."""
