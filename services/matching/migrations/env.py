from samskab.migrate import run_env

run_env()
