"""The headless core of redis-tls-wizard: model, store, inspector, rules and operations.

Nothing in this package imports Textual: the CLI and scripts use it directly and their
start-up time counts.
"""
