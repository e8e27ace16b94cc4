"""The engine layer: the record format, the Engine protocol and its cancellation rule,
the native driver of each event loop and its thread sibling for a forked child, and
what differs per OS. It imports nothing of the layers above (io, os, the top level)."""
