"""Emulator test harness (harness.py) and test definitions (suite.py) for tessera."""
