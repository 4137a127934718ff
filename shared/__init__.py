"""Code every service shares, written once: settings, logging, contracts, bus, store, outbox, runtime."""
