from state.cli import run

run()
