import json
import sys

from benchmarks.coder_access import run_all

json.dump(run_all(), sys.stdout, indent=2)
sys.stdout.write("\n")
