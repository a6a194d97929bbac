from coder_catalog.cli import run

run()
