"""The AWS error codes the adapters act on, one set per meaning, shared by every adapter and step.

ElastiCache answers some faults under two codes (the Query API's ``...Fault`` shape name and the code its
documentation lists), so each set holds both.
"""

GROUP_NOT_FOUND = frozenset({"ReplicationGroupNotFoundFault", "ReplicationGroupNotFound"})
CLUSTER_NOT_FOUND = frozenset({"CacheClusterNotFound", "CacheClusterNotFoundFault"})
GROUP_BUSY = frozenset(
    {"InvalidReplicationGroupState", "InvalidReplicationGroupStateFault", "InvalidCacheClusterState"}
)
USER_BUSY = frozenset({"InvalidUserState", "InvalidUserStateFault"})
USER_NOT_FOUND = frozenset({"UserNotFound", "UserNotFoundFault"})
NO_OPERATION = frozenset({"NoOperationFault", "NoOperation"})
THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}
)
"""A throttled mutating call was not applied (safe to retry after a re-read)."""
CLUSTER_BUSY = frozenset({"InvalidCacheClusterState", "InvalidCacheClusterStateFault"})
"""A Memcached (or any single) cache cluster is changing: wait and re-read."""
SERVERLESS_BUSY = frozenset({"InvalidServerlessCacheStateFault", "InvalidServerlessCacheState"})
SERVERLESS_NOT_FOUND = frozenset({"ServerlessCacheNotFoundFault", "ServerlessCacheNotFound"})
