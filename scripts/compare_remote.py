"""A run on a target over SSH against the same run here: median latency, process against process.

The target is this machine, reached through a real sshd started for the script on a loopback port
(tests/ssh_server.py: its own host key, user key and known_hosts), with this Python as the
target's.  Both sides then share the CPU, so what differs is only what a remote run adds: the
SSH session, the zipapp's import and the event stream's writes beside the timed loop.  The
ratio remote / local of the reports' median latency should sit near 1 (bar <= 1.05).

Each round runs ``ovgui-profile MODEL IMAGE -n N --json`` and the same with ``--target``, each a
new process, who goes first rotating.  The first remote run pushes the zipapp and the files
(later ones reuse them); a warm-up run of each side before the rounds keeps that out of the figures.
Anything after ``--`` goes to both.  Exit status: 0 pass, 1 fail, 3 too noisy, 2 bad input.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from paired_rounds import (
    BadInput,
    Verdict,
    compiled_settings,
    machine_line,
    parse_rounds,
    read_json,
    rounds_parser,
    run_program,
    run_rounds,
)

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared"
DEFAULT_MODEL = SHARED / "models" / "classification" / "squeezenet1.1" / "FP16" / "squeezenet1.1.xml"
DEFAULT_IMAGE = SHARED / "images" / "dog.jpg"
SIDES = ("remote", "local")
ALIAS = "ovgui-loopback"
BAR = 1.05
TIMEOUT_S = 600
PROFILE = [sys.executable, "-c", "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())"]


class Sides:
    def __init__(self, args, folder: Path, ssh_config: Path) -> None:
        self.args, self.folder, self.ssh_config = args, folder, ssh_config
        self.env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
        self.env.pop("SSH_AUTH_SOCK", None)

    def run(self, side: str, round_index: int) -> tuple[list[float], str]:
        out = self.folder / f"round{round_index + 1}-{side}.json"
        command = [*PROFILE, str(self.args.model), str(self.args.image), "-n", str(self.args.iterations), "--json", str(out),
                   "-q", *self.args.shared]
        if side == "remote":
            command += ["--target", ALIAS, "--ssh-config", str(self.ssh_config), "--target-python", sys.executable]
        run_program(command, f"ovgui-profile ({side})", TIMEOUT_S, self.env)
        report = read_json(out, side)
        return [float(report["latency_ms"]["median"])], compiled_settings(report)


def main(argv: list[str] | None = None) -> int:
    parser = rounds_parser(__doc__, DEFAULT_IMAGE, "the photo (default: ../shared/images/dog.jpg)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="the model (default: SqueezeNet 1.1 FP16)")
    try:
        args = parse_rounds(parser, argv)
        sys.path.insert(0, str(REPOSITORY / "tests"))
        from ssh_server import SshServer

        with tempfile.TemporaryDirectory(prefix="ovgui-remote-") as folder:
            server = SshServer(Path(folder) / "sshd", ALIAS)
            try:
                sides = Sides(args, Path(folder), server.ssh_config)
                for side in SIDES:
                    sides.run(side, -1)
                print(f"{args.model.name} on {args.image.name}, {args.iterations} iterations a run; {machine_line()}")
                print(f"{'round':<7}{'remote ms':>12}{'local ms':>12}{'ratio':>12}")
                ratios, rows, used = run_rounds(args.rounds, SIDES, sides.run, 12)
            finally:
                server.stop()
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    verdict = Verdict(ratios[0], BAR, higher_is_better=False)
    print(verdict.line("median latency remote / local"))
    for side in SIDES:
        print(f"  {side}: {used[side]}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"rounds": rows, "verdict": verdict.as_dict(), "used": used}, indent=1))
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
