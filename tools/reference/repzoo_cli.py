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


def load_average():
    """The machine's load averages over 1, 5 and 15 minutes, as a table's caption gives them."""
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def finish_table(rows, markdown):
    """Ends a table of rows with the load after it, writes it to the markdown file if one is given, and prints it."""
    rows.append(f"load average after: {load_average()}")
    if markdown:
        with open(markdown, "w") as f:
            f.write("\n".join(rows) + "\n")
    print("\n".join(rows))
