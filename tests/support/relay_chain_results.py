"""What the relay chain's processes printed, for the integration tests that
run it (relay_chain_test.sh, tail_sampling_chain_test.sh): each process's last
line of counters, and a list of failed checks reported at the end."""
import sys

ROLES = ("client", "guard", "middle", "exit")


def read_counts(directory):
    """{role: {counter: value}} from the last line of DIR/ROLE.out
    ("service: name=value name=value ...")."""
    counts = {}
    for role in ROLES:
        line = open(f"{directory}/{role}.out").read().strip().splitlines()[-1]
        counts[role] = {k: int(v) for k, v in (f.split("=") for f in line.split()[1:])}
    return counts


class Checks:
    def __init__(self, name):
        self.name = name
        self.failures = []

    def __call__(self, ok, what):
        if not ok:
            self.failures.append(what)

    def finish(self, summary):
        """Exits 1 naming the first failures, or prints the summary."""
        if self.failures:
            print(f"{self.name}: FAILED", *self.failures[:20], sep="\n  ")
            sys.exit(1)
        print(f"{self.name}: {summary}: ok")
