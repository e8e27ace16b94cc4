"""Process-wide configuration, validated by the native core, and backend information."""

from __future__ import annotations

import json
import logging
from typing import Any, TypedDict

from . import native

logger = logging.getLogger("ayafileio")
_debug_enabled = False


def debug(msg: str, *args: Any) -> None:
    """Logs to the "ayafileio" logger when enable_debug_log is on."""
    if _debug_enabled:
        logger.debug(msg, *args)


class Config(TypedDict):
    handle_pool_max_per_key: int
    handle_pool_max_total: int
    io_worker_count: int
    buffer_pool_max: int
    buffer_size: int
    close_timeout_ms: int
    io_uring_queue_depth: int
    io_uring_sqpoll: bool
    enable_debug_log: bool
    backend: str
    adaptive_batch: bool
    adaptive_target_latency_us: int
    idle_spin_us: int
    turn_share: int


_BOOL_KEYS = {"io_uring_sqpoll", "enable_debug_log", "adaptive_batch"}
_STR_KEYS = {"backend"}


def _encode(key: str, value: object) -> str:
    if key in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise TypeError(f"{key} must be a bool, not {type(value).__name__}")
        return "true" if value else "false"
    if key in _STR_KEYS:
        if not isinstance(value, str):
            raise TypeError(f"{key} must be a str, not {type(value).__name__}")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} must be an int, not {type(value).__name__}")
    return str(value)


def configure(options: dict[str, Any] | None = None, /, **kwargs: Any) -> None:
    """Sets options for engines created from now on (the buffer pool changes at once).

    Accepts a dict, keyword arguments, or both. All options are validated before any is
    applied: an unknown key or an out-of-range value raises ValueError naming the key, a
    value of the wrong type raises TypeError.
    """
    global _debug_enabled
    merged = dict(options or {}, **kwargs)
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"configure() takes a dict, not {type(options).__name__}")
    known = set(Config.__annotations__)
    for key in merged:
        if not isinstance(key, str) or key not in known:
            raise ValueError(f"unknown option {key!r} (known: {', '.join(sorted(known))})")
    encoded = {k: _encode(k, v) for k, v in merged.items()}
    err = native.lib().pybind_ConfigSet(json.dumps(encoded))
    if err:
        raise ValueError(err)
    _debug_enabled = get_config()["enable_debug_log"]
    if _debug_enabled and logger.level == logging.NOTSET:
        logger.setLevel(logging.DEBUG)


_cached: Config | None = None


def get_config() -> Config:
    """The current options."""
    global _cached
    if native.forked_after_load() and _cached is not None:
        return dict(_cached)  # type: ignore[return-value]  # the parent's, as inherited
    cfg: Config = native.call_json("ConfigGet")
    _cached = cfg
    return dict(cfg)  # type: ignore[return-value]


def _current() -> Config:
    """The options, read from the core once and after every change (hot paths use them)."""
    return _cached if _cached is not None else get_config()


def cached_buffer_size() -> int:
    return _current()["buffer_size"]


def cached_loop_budget() -> tuple[bool, float]:
    """(adaptive_batch, adaptive_target_latency_us in seconds)."""
    cfg = _current()
    return cfg["adaptive_batch"], cfg["adaptive_target_latency_us"] / 1e6


def cached_idle_spin() -> float:
    """idle_spin_us in seconds."""
    return _current()["idle_spin_us"] / 1e6


def cached_turn_share() -> int:
    return _current()["turn_share"]


def cached_buffer_pool_max() -> int:
    return _current()["buffer_pool_max"]


def cached_close_timeout() -> float:
    """close_timeout_ms, in seconds."""
    return _current()["close_timeout_ms"] / 1000


def reset_config() -> None:
    """Restores every option to its default."""
    global _debug_enabled
    native.lib().pybind_ConfigReset()
    _debug_enabled = get_config()["enable_debug_log"]


def set_handle_pool_limits(max_per_key: int, max_total: int) -> None:
    """Bounds the reuse of closed file handles (used by the Windows IOCP backend)."""
    configure(handle_pool_max_per_key=max_per_key, handle_pool_max_total=max_total)


def get_handle_pool_limits() -> tuple[int, int]:
    """(max_per_key, max_total) of the handle pool."""
    cfg = get_config()
    return cfg["handle_pool_max_per_key"], cfg["handle_pool_max_total"]


def set_io_worker_count(count: int = 0) -> None:
    """configure(io_worker_count=count): io_uring's io-wq workers, or the worker
    backend's pool, for engines created from now on (0: one per CPU)."""
    configure(io_worker_count=count)
