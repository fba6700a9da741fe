"""Benchmark: two_step_fca against PySAL access's two_stage_fca (time and peak memory).

Same inputs for both: seeded, settlement-like demand and supply points, integer
populations and capacities, a 30 km catchment, step and Gaussian (sigma 15 km) decay.
``access`` needs a cost table; ``access.create_euclidean_distance`` cannot build one for
200,000 x 5,000, so it is given the (demand, supply, geodesic km) pairs within the
catchment from ``catchment_pairs`` - the same distances ``two_step_fca`` computes. Five
variants are measured (see ``TOOLS``): ours from points (geodesic and great-circle), ours
given the same cost table, access given the cost table, and access with the cost-table
construction inside its timing. The ratios are reported for each pairing.

Each measurement runs in a fresh subprocess: wall time (best of ``--repeats``), the peak
RSS increase during the call (peak reset through ``/proc/self/clear_refs`` just before it,
read from ``VmHWM``; inputs already loaded), and, in another fresh subprocess, the
``tracemalloc`` peak of the call. Results are checked equal (relative 1e-9) in the run.

Run ``.venv/bin/python benchmarks/bench_2sfca.py`` (``--quick`` for a smoke run); writes
``benchmarks/results/bench_2sfca.md`` (``bench_2sfca_quick.md`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _results import write_results  # benchmarks/_results.py: where results are written

from innocap_analysis.geography.accessibility import catchment_pairs, two_step_fca  # noqa: E402

#: Fennoscandian mainland box (southern Norway and Sweden to Finland).
LON_RANGE, LAT_RANGE = (5.0, 30.0), (55.0, 70.0)
#: Settlement-like pattern: points scattered (Gaussian, SPREAD_KM) around TOWNS centres whose
#: sizes are Pareto-distributed; demand and supply share the centres (services are where people are).
TOWNS, SPREAD_KM = 400, 15.0


#: Measured variants: name -> what it does.
TOOLS: dict[str, str] = {
    "ours": "`two_step_fca` from points: radius search + WGS84 geodesics + 2SFCA",
    "ours_great_circle": "`two_step_fca(distance='great_circle')` from points (mean-radius sphere)",
    "ours_given_pairs": "`two_step_fca(pairs=...)` given the same cost table as access (2SFCA step only)",
    "access": "`access.Access(...).two_stage_fca` given the cost table (pairs within the catchment)",
    "access_from_points": "access, with the cost table built by `catchment_pairs` inside the timing",
}


def clustered_points(n: int, seed: int) -> np.ndarray:
    """``(n, 2)`` lon/lat degrees around the shared, seeded town centres."""
    towns = np.random.default_rng(0)
    sin_lat = towns.uniform(*np.sin(np.radians(LAT_RANGE)), TOWNS)
    town_lon, town_lat = towns.uniform(*LON_RANGE, TOWNS), np.degrees(np.arcsin(sin_lat))
    size = towns.pareto(1.2, TOWNS) + 1.0
    rng = np.random.default_rng(seed)
    town = rng.choice(TOWNS, n, p=size / size.sum())
    north_km, east_km = rng.normal(0.0, SPREAD_KM, (2, n))
    lat = town_lat[town] + north_km / 111.2
    lon = town_lon[town] + east_km / (111.2 * np.cos(np.radians(lat)))
    return np.column_stack([lon, lat])


# ------------------------------------------------------------------ worker (subprocess)


def _read_status(field: str) -> float:
    """A VmRSS/VmHWM line of /proc/self/status, in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak_rss() -> bool:
    """Reset the process's peak RSS (Linux >= 4.0: write 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _worker(args: argparse.Namespace) -> None:
    data = np.load(args.data)
    catchment, sigma = float(data["catchment_km"]), float(data["sigma_km"])
    bandwidth = sigma if args.decay == "gaussian" else None
    demand, supply = data["demand"], data["supply"]
    population, capacity = data["population"], data["capacity"]
    given_pairs = pd.DataFrame(
        {"demand_position": data["pair_i"], "supply_position": data["pair_j"], "distance_km": data["pair_km"]}
    )
    if args.tool.startswith("ours"):
        distance = "great_circle" if args.tool == "ours_great_circle" else "geodesic"
        pairs = given_pairs if args.tool == "ours_given_pairs" else None

        def run() -> np.ndarray:
            return two_step_fca(
                demand, supply, catchment, decay=args.decay, bandwidth_km=bandwidth,
                demand_weight=population, supply_capacity=capacity, distance=distance, pairs=pairs,
            ).to_numpy()
    else:
        import access
        from access import weights

        logging.getLogger("access").setLevel(logging.WARNING)
        warnings.filterwarnings("ignore")
        demand_df = pd.DataFrame({"geoid": np.arange(len(demand)), "pop": population})
        supply_df = pd.DataFrame({"geoid": np.arange(len(supply)) + 10_000_000, "cap": capacity})
        weight_fn = weights.gaussian(sigma) if args.decay == "gaussian" else None

        def cost_table() -> pd.DataFrame:
            # access_from_points builds its cost table inside the timing (our radius search:
            # access.create_euclidean_distance cannot hold 200,000 x 5,000).
            pairs = catchment_pairs(demand, supply, catchment) if args.tool == "access_from_points" else given_pairs
            return pd.DataFrame(
                {"origin": pairs["demand_position"], "dest": pairs["supply_position"] + 10_000_000,
                 "cost": pairs["distance_km"]}
            )

        given_cost = cost_table() if args.tool == "access" else None

        def run() -> np.ndarray:
            cost_df = given_cost if given_cost is not None else cost_table()
            model = access.Access(
                demand_df=demand_df, demand_index="geoid", demand_value="pop",
                supply_df=supply_df, supply_index="geoid", supply_value="cap",
                cost_df=cost_df, cost_origin="origin", cost_dest="dest", cost_name="cost",
            )
            out = model.two_stage_fca(name="a", max_cost=catchment, weight_fn=weight_fn)
            return out["a_cap"].reindex(np.arange(len(demand_df))).to_numpy()

    del data
    report: dict[str, object] = {}
    if args.mode == "trace":
        tracemalloc.start()
        result = run()
        report["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    else:
        times, increases = [], []
        for _ in range(args.repeats):
            gc.collect()
            before = _read_status("VmRSS")
            if not _reset_peak_rss():
                raise RuntimeError("cannot reset the peak RSS (/proc/self/clear_refs); run on Linux >= 4.0")
            start = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - start)
            increases.append(_read_status("VmHWM") - before)
        report["times_s"] = times
        report["peak_rss_increase_mb"] = max(increases)
        np.save(args.out, result)
    print(json.dumps(report))


def _measure(tool: str, decay: str, data: Path, out: Path, repeats: int, mode: str) -> dict:
    command = [
        sys.executable, __file__, "--worker", tool, "--decay", decay, "--data", str(data),
        "--out", str(out), "--repeats", str(repeats), "--mode", mode,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{tool} {decay} {mode} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run (20,000 x 500)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of two_step_fca per subprocess")
    parser.add_argument("--access-repeats", type=int, default=2, help="timed runs of access per subprocess")
    parser.add_argument("--catchment-km", type=float, default=30.0)
    parser.add_argument("--sigma-km", type=float, default=15.0)
    parser.add_argument("--progress", action="store_true", help="tqdm progress over the measurements")
    # worker mode (internal)
    parser.add_argument("--worker", choices=list(TOOLS), help=argparse.SUPPRESS)
    parser.add_argument("--decay", choices=["step", "gaussian"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["time", "trace"], default="time", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.tool = args.worker
        _worker(args)
        return

    from tqdm.auto import tqdm

    n_demand, n_supply = (20_000, 500) if args.quick else (200_000, 5_000)
    rng = np.random.default_rng(12)
    demand, supply = clustered_points(n_demand, seed=11), clustered_points(n_supply, seed=12)
    population = rng.integers(1, 2_000, n_demand).astype(float)
    capacity = rng.integers(1, 30, n_supply).astype(float)
    pairs = catchment_pairs(demand, supply, args.catchment_km)

    rows = []
    results: dict[tuple[str, str], np.ndarray] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "inputs.npz"
        np.savez(
            data, demand=demand, supply=supply, population=population, capacity=capacity,
            pair_i=pairs["demand_position"].to_numpy(), pair_j=pairs["supply_position"].to_numpy(),
            pair_km=pairs["distance_km"].to_numpy(), catchment_km=args.catchment_km, sigma_km=args.sigma_km,
        )
        jobs = [(decay, tool) for decay in ("step", "gaussian") for tool in TOOLS]
        for decay, tool in tqdm(jobs, disable=not args.progress, desc="2SFCA benchmark"):
            out = Path(tmp) / f"{tool}_{decay}.npy"
            repeats = args.repeats if tool.startswith("ours") else args.access_repeats
            timing = _measure(tool, decay, data, out, repeats, "time")
            traced = _measure(tool, decay, data, out.with_suffix(".trace.npy"), 1, "trace")
            results[decay, tool] = np.load(out)
            rows.append(
                {
                    "decay": decay, "tool": tool, "what": TOOLS[tool], "best_s": min(timing["times_s"]),
                    "runs": len(timing["times_s"]), "peak_rss_increase_mb": timing["peak_rss_increase_mb"],
                    "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"],
                }
            )
            print(rows[-1], flush=True)

    checks = []
    for decay in ("step", "gaussian"):
        theirs = results[decay, "access"]
        reachable = ~np.isnan(theirs)
        for tool in ("ours", "ours_given_pairs", "access_from_points"):
            ours = results[decay, tool]
            ours = np.where(np.isnan(ours), 0.0, ours)
            assert (ours[~reachable] == 0).all(), f"{decay} {tool}: unreachable demand must get 0"
            rel = float(np.abs(ours[reachable] / theirs[reachable] - 1).max())
            assert rel <= 1e-9, f"{decay} {tool}: max relative difference {rel:.3e} > 1e-9"
            checks.append((decay, tool, rel))
        n_reachable, n_none = int(reachable.sum()), int((~reachable).sum())

    table = pd.DataFrame(rows)

    def value(decay: str, tool: str, column: str) -> float:
        return float(table.loc[(table.decay == decay) & (table.tool == tool), column].iloc[0])

    ratio_lines = []
    for decay in ("step", "gaussian"):
        for ours, theirs, label in [
            ("ours_given_pairs", "access", "same cost table given to both"),
            ("ours", "access_from_points", "from points, each building its pairs inside the timing"),
            ("ours", "access", "ours from points vs access given the cost table for free"),
            ("ours_great_circle", "access", "ours from points, great-circle, vs access given the cost table"),
        ]:
            speed = value(decay, theirs, "best_s") / value(decay, ours, "best_s")
            traced = value(decay, ours, "tracemalloc_peak_mb") / value(decay, theirs, "tracemalloc_peak_mb")
            rss = value(decay, ours, "peak_rss_increase_mb") / value(decay, theirs, "peak_rss_increase_mb")
            verdict = ""
            if decay == "gaussian":
                met = speed >= 5 and traced <= 1 / 3 and rss <= 1 / 3
                verdict = f" Goal (>= 5x faster, <= 1/3 peak memory): {'met' if met else 'NOT met'}."
            ratio_lines.append(
                f"- {decay}, `{ours}` vs `{theirs}` ({label}): **{speed:.1f}x** faster; memory ratio "
                f"**{traced:.2f}** (tracemalloc peak) / **{rss:.2f}** (peak-RSS increase).{verdict}"
            )
    lines = [
        "# 2SFCA accessibility: `two_step_fca` vs PySAL `access`",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()})"
        + (" — **quick smoke run**" if args.quick else "") + ".",
        "",
        f"Inputs: {n_demand:,} demand points x {n_supply:,} supply points, seeded, settlement-like "
        f"(scattered with sigma {SPREAD_KM:g} km around {TOWNS} Pareto-sized town centres in lon {LON_RANGE}, "
        f"lat {LAT_RANGE}); integer populations 1-1999 and capacities 1-29; catchment {args.catchment_km:g} km "
        f"(WGS84 geodesic); Gaussian sigma {args.sigma_km:g} km (`access.weights.gaussian`). "
        f"**{len(pairs):,}** demand-supply pairs lie within the catchment.",
        "",
        "Tools (each measured in a fresh subprocess):",
        "",
        *[f"- `{tool}`: {what}" for tool, what in TOOLS.items()],
        "",
        "Memory: the peak-RSS increase during the call (peak RSS reset through `/proc/self/clear_refs` just "
        "before it, inputs already loaded), and, in another fresh subprocess, the `tracemalloc` peak of the "
        "call (numpy and pandas buffers are traced). The machine is shared with other jobs, so timings are "
        "indicative.",
        "",
        table.drop(columns="what").to_markdown(index=False, floatfmt=".2f"),
        "",
        "## Ratios",
        "",
        *ratio_lines,
        "",
        "## Identical results (checked in this run)",
        "",
        *[
            f"- {decay}, `{tool}` vs `access`: max relative difference {rel:.1e}"
            for decay, tool, rel in checks
        ],
        f"- over the {n_reachable:,} demand points with reachable supply; the {n_none:,} without any "
        "(NaN in access) are 0 in two_step_fca.",
        "",
    ]
    write_results("bench_2sfca", lines, args.quick)


if __name__ == "__main__":
    main()
