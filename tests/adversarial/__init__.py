"""Adversarial tests: each states the expected behaviour (the right number, or a clear error) for input a
tester chose to break the library with. One file per area."""
