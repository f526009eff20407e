"""Running ./repzoo from the reference scripts: where it is, and a call that raises with its output when it fails."""
import os
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPZOO = os.path.join(ROOT, "repzoo")


def repzoo(*args):
    """Runs `./repzoo ARGS...`; returns the seconds it took, or raises with its stdout and stderr."""
    start = time.time()
    done = subprocess.run([REPZOO, *[str(a) for a in args]], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"repzoo {' '.join(map(str, args))} failed ({done.returncode}):\n{done.stdout}\n"
                           f"{done.stderr}")
    return time.time() - start
