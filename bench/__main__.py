"""``python -m bench [P1 P2 ...] [--quick] [--output PATH | --no-write]``."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from bench._common import ROOT, Section, print_section
from bench._report import machine, versions, write

#: Benchmark key -> (module, rounds in full mode, rounds in quick mode).
BENCHMARKS: dict[str, tuple[str, int, int]] = {
    "P1": ("bench.p1_parse", 9, 3),
    "P2": ("bench.p2_backfill", 5, 2),
    "P3": ("bench.p3_overhead", 5, 2),
    "P4": ("bench.p4_memory", 3, 1),
    "P5": ("bench.p5_startup", 15, 5),
    "P6": ("bench.p6_directory", 5, 2),
    "P7": ("bench.p7_store", 5, 1),
    "P9": ("bench.p9_scale", 1, 1),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("only", nargs="*", metavar="P", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (noisier)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--sizes", default="1,10,100", help="P9: organization sizes, comma-separated"
    )
    parser.add_argument(
        "--budget", type=float, default=1800.0, help="P9: seconds; larger sizes are skipped"
    )
    args = parser.parse_args(argv)
    keys = [k.upper() for k in args.only] or list(BENCHMARKS)
    unknown = [k for k in keys if k not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")

    began = time.perf_counter()
    for k, v in {**machine(), **versions()}.items():
        print(f"{k}: {v}")
    sections: list[Section] = []
    for key in keys:
        module_name, full, quick = BENCHMARKS[key]
        rounds = quick if args.quick else full
        started = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
            if key == "P9":
                sizes = [int(n) for n in args.sizes.split(",")]
                section: Section = module.run(rounds, sizes, args.budget)
            else:
                section = module.run(rounds)
        except Exception as error:
            traceback.print_exc()
            section = Section(key, "failed", f"{module_name} raised", skipped=repr(error))
            section.rows = []
        section.notes.append(
            f"{rounds} rounds; benchmark took {time.perf_counter() - started:.0f} s"
        )
        print_section(section)
        sections.append(section)

    took = time.perf_counter() - began
    if not args.no_write:
        write(args.output, sections, sys.argv[1:] if argv is None else argv, args.quick, took)
        print(f"\nwrote {args.output} ({took:.0f} s)")
    failed = [s.key for s in sections if not s.goals_met or (s.skipped and not s.rows)]
    print("goals not met: " + (", ".join(failed) if failed else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
