"""One module per kind of cache (replication group, Memcached cluster, Serverless cache), each implementing
``base.CacheKindOps``; ``registry`` finds them. No other module branches on the kind."""
