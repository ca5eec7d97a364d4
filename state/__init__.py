"""The headless core of redis-tls-wizard: model, store, inspector, rules, transitions, workspace.

Nothing in this package imports Textual: the CLI and scripts use it directly and their
start-up time counts.
"""
