#!/bin/sh
# run-all.sh: everything the CUDA backend is checked by, in one command, on a
# machine with an NVIDIA GPU and the CUDA toolkit (GLib, GTK, SQLite optional):
#
#   0. unpack the Debian packages carried in tests/gpu/debs/, if any
#      (tests/gpu/fetch-debs.sh gets them: OpenBLAS for a machine without apt);
#   1. configure a CUDA build without GTK (-Dcuda=enabled -Dgtk=disabled; the
#      logging library when SQLite and libpng are there) in build-gpu/, build it;
#   2. run the 'gpu' test suite (every backend entry and every op, forward and
#      backward, against the CPU; to()/module.to(); training steps; allocator);
#   3. run each GPU test program under compute-sanitizer: memcheck (with the
#      caching allocator off, so every tensor is its own allocation), and
#      racecheck + synccheck on the kernel tests (shared memory, barriers);
#   4. run bench-cuda and bench_torch.py (PyTorch on the same GPU, if installed);
#   5. print a short table: tests, sanitizers, times with the Lumen/PyTorch
#      ratio (goal <= 1.0), matmul efficiency against cuBLAS (goal >= 90%),
#      peak memory and whether it stays flat over 1,000 steps.
#
# Usage: tests/gpu/run-all.sh           (from anywhere; logs in build-gpu/gpu-report/)
# Environment: LUMEN_GPU_BUILD (build dir, default <repo>/build-gpu),
#   PYTHON (default python3), SKIP_SANITIZER=1, SKIP_BENCH=1.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${LUMEN_GPU_BUILD:-$SRC/build-gpu}
PYTHON=${PYTHON:-python3}
REPORT=$BUILD/gpu-report
status=0

say() { printf '\n==> %s\n' "$*"; }

# Packages carried from a Debian machine (tests/gpu/fetch-debs.sh): unpacked
# into a private root, their pkg-config files and absolute symlinks pointed
# there, and that root put on the pkg-config and loader paths.
DEBS=$SRC/tests/gpu/debs
if ls "$DEBS"/*.deb >/dev/null 2>&1; then
  say "unpack the carried packages in $DEBS"
  ROOT=$DEBS/root
  rm -rf "$ROOT"
  mkdir -p "$ROOT"
  for f in "$DEBS"/*.deb; do
    if command -v dpkg-deb >/dev/null 2>&1; then
      dpkg-deb -x "$f" "$ROOT" || exit 1
    else
      "$PYTHON" - "$f" "$ROOT" <<'EOF_PY' || exit 1
import io, sys, tarfile
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"!<arch>\n", "not a .deb"
pos = 8
while pos < len(data):
    name = data[pos:pos + 16].decode().strip().rstrip("/")
    size = int(data[pos + 48:pos + 58])
    body = data[pos + 60:pos + 60 + size]
    if name.startswith("data.tar"):
        # Python 3.12+ asks for an extraction filter (3.14 defaults to 'data')
        kw = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
        tarfile.open(fileobj=io.BytesIO(body)).extractall(sys.argv[2], **kw)
    pos += 60 + size + (size & 1)
EOF_PY
    fi
    echo "  $(basename "$f")"
  done
  find "$ROOT" -type l | while read -r l; do
    t=$(readlink "$l")
    case $t in /*) [ -e "$ROOT$t" ] && ln -sfn "$ROOT$t" "$l" ;; esac
  done
  find "$ROOT" -name '*.pc' | while read -r pc; do
    sed -i -e "s|^prefix=/usr|prefix=$ROOT/usr|" -e "s|=/usr/|=$ROOT/usr/|g" "$pc"
  done
  pcdirs=$(find "$ROOT" -type d -name pkgconfig | tr '\n' ':')
  libdirs=$(find "$ROOT" -name '*.so*' -exec dirname {} \; | sort -u | tr '\n' ':')
  export PKG_CONFIG_PATH="$pcdirs${PKG_CONFIG_PATH:-}"
  export LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:-}"
  export LIBRARY_PATH="$libdirs${LIBRARY_PATH:-}"
fi

# The toolkit: meson takes its CUDA compiler from PATH only, and the CUDA
# installer leaves nvcc in /usr/local/cuda/bin, which is often not on PATH.
if ! command -v nvcc >/dev/null 2>&1; then
  if [ -x /usr/local/cuda/bin/nvcc ]; then
    PATH=/usr/local/cuda/bin:$PATH
    export PATH
    echo "run-all: nvcc is not on PATH; using /usr/local/cuda/bin/nvcc"
  else
    echo "run-all: nvcc not found (neither on PATH nor in /usr/local/cuda/bin): install the" \
         "CUDA toolkit or put its bin/ on PATH" >&2
    exit 1
  fi
fi
say "GPU and driver"
echo "nvcc: $(nvcc --version | tail -n 1)"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader ||
    echo "run-all: nvidia-smi failed (no driver loaded?); the engine's own check follows the build"
else
  echo "nvidia-smi not found (no NVIDIA driver installed, or not on PATH); the engine's own" \
       "check follows the build"
fi

# The logging library, and with it lumen-train and test-cuda-programs, is
# built when SQLite and libpng are there (auto); GTK is never needed.
say "configure $BUILD (engine, CUDA on; logging if its libraries are there)"
if [ -d "$BUILD" ] && [ -f "$BUILD/build.ninja" ]; then
  meson setup --reconfigure "$BUILD" "$SRC" -Dcuda=enabled -Dgtk=disabled -Dlogging=auto || exit 1
else
  meson setup "$BUILD" "$SRC" -Dcuda=enabled -Dgtk=disabled -Dlogging=auto || exit 1
fi
mkdir -p "$REPORT"
say "build"
meson compile -C "$BUILD" || exit 1

# Without a usable GPU every GPU test skips and meson reports success: stop.
say "the GPU as the engine sees it"
if ! "$BUILD/bench/cuda/bench-cuda" --check; then
  echo "run-all: no usable CUDA GPU (reason above); nothing here can be checked without one" >&2
  exit 1
fi

say "GPU tests (meson test --suite gpu)"
if meson test -C "$BUILD" --suite gpu --print-errorlogs --num-processes 1; then
  tests_result=PASS
else
  tests_result=FAIL
  status=1
fi
cp "$BUILD/meson-logs/testlog.txt" "$REPORT/gpu-tests.log" 2>/dev/null || true

# The test programs: tests/gpu/ with GLib, bench/cuda/ without (GLib-less runner).
progs=""
for t in test-cuda-kernels test-cuda-ops test-cuda-train test-cuda-overhead test-cuda-unavailable; do
  for d in "$BUILD/tests/gpu" "$BUILD/bench/cuda"; do
    [ -x "$d/$t" ] && progs="$progs $d/$t" && break
  done
done

memcheck_result="not run"
race_result="not run"
SANITIZER=$(command -v compute-sanitizer || true)
[ -z "$SANITIZER" ] && [ -x /usr/local/cuda/bin/compute-sanitizer ] && SANITIZER=/usr/local/cuda/bin/compute-sanitizer
if [ "${SKIP_SANITIZER:-0}" = 1 ]; then
  memcheck_result="skipped (SKIP_SANITIZER=1)"
elif [ -z "$SANITIZER" ]; then
  memcheck_result="compute-sanitizer not found"
  status=1
else
  say "compute-sanitizer memcheck (caching allocator off)"
  memcheck_result=PASS
  for p in $progs; do
    log=$REPORT/memcheck-$(basename "$p").log
    if LUMEN_CUDA_NO_CACHING=1 "$SANITIZER" --tool memcheck --error-exitcode 99 "$p" >"$log" 2>&1; then
      echo "  memcheck $(basename "$p"): clean ($(grep -c '^ok' "$log") tests)"
    else
      echo "  memcheck $(basename "$p"): ERRORS (see $log)"
      grep -m 20 -E "=========|not ok|Bail out|ERROR" "$log" | head -20
      memcheck_result=FAIL
      status=1
    fi
  done
  say "compute-sanitizer racecheck + synccheck (kernel tests)"
  race_result=PASS
  kern=$(echo "$progs" | tr ' ' '\n' | grep test-cuda-kernels || true)
  for tool in racecheck synccheck; do
    log=$REPORT/$tool.log
    if [ -n "$kern" ] && "$SANITIZER" --tool $tool --error-exitcode 99 "$kern" >"$log" 2>&1; then
      echo "  $tool: clean"
    else
      echo "  $tool: ERRORS (see $log)"
      grep -m 20 "=========" "$log" | head -20
      race_result=FAIL
      status=1
    fi
  done
fi

lumen_bench=$REPORT/bench-lumen.txt
torch_bench=$REPORT/bench-torch.txt
: >"$lumen_bench"
: >"$torch_bench"
if [ "${SKIP_BENCH:-0}" != 1 ]; then
  say "bench-cuda (Lumen)"
  # its own exit status, not tee's
  { "$BUILD/bench/cuda/bench-cuda"; echo $? >"$REPORT/bench-lumen.rc"; } | tee "$lumen_bench"
  if [ "$(cat "$REPORT/bench-lumen.rc")" != 0 ]; then
    echo "run-all: bench-cuda failed (exit status $(cat "$REPORT/bench-lumen.rc"))"
    status=1
  fi
  say "bench_torch.py (PyTorch, same GPU)"
  "$PYTHON" "$SRC/bench/cuda/bench_torch.py" | tee "$torch_bench" || true
fi

say "summary"
"$PYTHON" - "$lumen_bench" "$torch_bench" "$tests_result" "$memcheck_result" "$race_result" <<'EOF'
import sys

def load(path):
    r = {}
    for line in open(path):
        p = line.split()
        if len(p) == 3 and p[0] == "RESULT":
            r[p[1]] = float(p[2])
    return r

lm, pt = load(sys.argv[1]), load(sys.argv[2])
print("GPU tests: %s    memcheck: %s    racecheck/synccheck: %s" % tuple(sys.argv[3:6]))
if not lm:
    print("(no benchmark figures)")
    sys.exit(0)
print()
print("%-30s %12s %12s %10s" % ("float32, TF32 off", "Lumen", "PyTorch", "ratio"))
rows = [("MLP train step, batch 64 (ms)", "mlp_step_ms"),
        ("CNN train step, batch 32 (ms)", "cnn_step_ms"),
        ("MLP epoch, 60k examples (s)", "mlp_epoch_s"),
        ("CNN epoch, 60k examples (s)", "cnn_epoch_s"),
        ("MLP peak memory (MiB)", "mlp_peak_mib"),
        ("CNN peak memory (MiB)", "cnn_peak_mib")]
for label, key in rows:
    a, b = lm.get(key), pt.get(key)
    ratio = "%.2f" % (a / b) if a is not None and b else "-"
    print("%-30s %12s %12s %10s" % (label, "%.4g" % a if a is not None else "-",
                                    "%.4g" % b if b is not None else "-", ratio))
for name in ("mlp", "cnn"):
    k = [lm.get("%s_%s_per_step" % (name, c)) for c in ("launches", "blas", "syncs", "mallocs")]
    if None not in k:
        print("%-30s %s" % (name.upper() + " host work per step",
                            "%.1f launches, %.1f cuBLAS calls, %.2f waits, %.2f cudaMalloc" %
                            tuple(k)))
for name in ("mlp", "cnn"):
    f = lm.get(name + "_flat")
    print("%-30s %12s %12s" % (name.upper() + " memory over 1000 steps",
                               "flat" if f == 1 else "NOT flat" if f == 0 else "-",
                               {1.0: "flat", 0.0: "NOT flat"}.get(pt.get(name + "_flat"), "-")))
print()
print("%-30s %12s %12s %12s %12s" % ("matmul 4096^3 (TFLOPS)", "Lumen", "cuBLAS", "PyTorch",
                                     "Lumen/cuBLAS"))
for prec in ("fp32", "tf32"):
    key = "matmul_%s_tflops" % prec
    a, b, t = lm.get(key), lm.get("cublas_%s_tflops" % prec), pt.get(key)
    if a and b:
        print("%-30s %12.1f %12.1f %12s %11.0f%%" % (prec.upper(), a, b,
                                                   "%.1f" % t if t else "-", 100 * a / b))
print("(ratio goal: <= 1.0 for times; matmul goal: >= 90% of cuBLAS)")
print("(peak memory: PyTorch's includes the cuBLAS workspaces it allocates through its caching")
print(" allocator, tens of MiB on an H100; Lumen's cuBLAS keeps its workspace outside its figures)")
EOF
exit $status
