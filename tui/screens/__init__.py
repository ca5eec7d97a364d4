"""The wizard's screens: one module each, pushed by the app or by each other."""
