"""The build runs its kernels with fixed BLAS kernels and hash seed, so numbers are the same bytes across x86-64 CPUs."""

from pathlib import Path

from innocap_analysis import config


def test_environment_pins_hash_seed_and_openblas_kernels_on_avx2_cpus():
    env = config.reproducible_environment()
    assert env["PYTHONHASHSEED"] == "0"
    cpuinfo = Path("/proc/cpuinfo")
    has_avx2 = cpuinfo.exists() and " avx2" in cpuinfo.read_text(errors="replace")
    assert (env.get("OPENBLAS_CORETYPE") == "Haswell") == has_avx2


def test_makefile_exports_the_same_environment():
    makefile = (config.PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "export OPENBLAS_CORETYPE" in makefile and "export PYTHONHASHSEED := 0" in makefile
