"""Reliability drills for the sandbox and the client: `make drill` runs them and writes RELIABILITY.md."""
