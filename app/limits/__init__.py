"""Rate limiter implementations (in-process and Redis) behind ``app.core.ratelimit.RateLimiter``."""
