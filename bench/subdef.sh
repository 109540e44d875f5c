#!/usr/bin/env bash
# Benchmark of phr-subdef: a 256 px thumbnail (JPEG q75) and a 1024 px preview (JPEG q85) of
# N 24-megapixel JPEGs (N=8 by default), against vipsthumbnail (libvips-tools) and ImageMagick
# (convert-im6.q16 -thumbnail, imagemagick), each side on all cores: phr-subdef with one
# thread per core, the peers as one process per image and sub-definition through xargs -P.
# Prints wall time, CPU time (user+sys) and peak RSS (/usr/bin/time -v: the largest single
# process) and the ratios. Targets: both sub-definitions in <= 0.6x vipsthumbnail's time,
# CPU <= vipsthumbnail's, peak memory <= 1.5x, >= 3x faster than ImageMagick.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-8}
CORES=$(nproc)
for tool in vipsthumbnail /usr/bin/convert-im6.q16 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/subdef.sh: $tool is missing (scripts/setup installs it)" >&2; exit 69; }
done
cargo build --release --quiet --bin phr-subdef --bin phr-archive --example make-images
BIN=$PWD/target/release
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$BIN/examples/make-images" "$W/src" "$N" 6000x4000  # camera-like JPEGs with EXIF/IPTC/XMP
export PHR_DATA_DIR=$W/data PHR_CONFIG=$W/phr.toml
cat > "$PHR_CONFIG" <<TOML
[collections.photos]
id = 1
[collections.photos.subdefs.thumbnail]
size = 256
quality = 75
[collections.photos.subdefs.preview]
size = 1024
quality = 85
TOML
mkdir -p "$W/hot"
cp "$W/src"/*.jpg "$W/hot/"
echo '<record/>' > "$W/hot/.phrasea.xml"
"$BIN/phr-archive" --hotfolder "$W/hot" --collection photos --delay 0s --once 2>/dev/null
sync

# measure NAME COMMAND...: runs it under /usr/bin/time -v, sets NAME_wall, NAME_cpu, NAME_rss.
measure() {
  local name=$1; shift
  /usr/bin/time -v -o "$W/$name.time" "$@" >/dev/null 2>"$W/$name.err" || { cat "$W/$name.err" >&2; exit 1; }
  read -r wall cpu rss < <(python3 - "$W/$name.time" <<'PY'
import sys
t = {}
for line in open(sys.argv[1]):
    k, _, v = line.strip().rpartition(": ")
    t[k] = v
parts = [float(p) for p in t["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")]
wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(t["User time (seconds)"]) + float(t["System time (seconds)"])
print(f"{wall:.3f} {cpu:.3f} {int(t['Maximum resident set size (kbytes)']) / 1024:.1f}")
PY
)
  printf -v "${name}_wall" %s "$wall"; printf -v "${name}_cpu" %s "$cpu"; printf -v "${name}_rss" %s "$rss"
}

measure phr "$BIN/phr-subdef" --once --threads "$CORES"
mkdir -p "$W/vips" "$W/im"
# shellcheck disable=SC2016
measure vips sh -c 'ls "$1"/*.jpg | xargs -P "$2" -I{} sh -c "vipsthumbnail -s 256 -o \"$3/%s-tn.jpg[Q=75]\" {} && vipsthumbnail -s 1024 -o \"$3/%s-pv.jpg[Q=85]\" {}"' _ "$W/src" "$CORES" "$W/vips"
# shellcheck disable=SC2016
measure im sh -c 'ls "$1"/*.jpg | xargs -P "$2" -I{} sh -c "f=\$(basename {} .jpg); /usr/bin/convert-im6.q16 {} -auto-orient -thumbnail 256x256 -quality 75 \"$3/\$f-tn.jpg\" && /usr/bin/convert-im6.q16 {} -auto-orient -thumbnail 1024x1024 -quality 85 \"$3/\$f-pv.jpg\""' _ "$W/src" "$CORES" "$W/im"

built=$(find "$W/data/subdefs" -type f | wc -l)
[ "$built" -eq $((2 * N)) ] || { echo "bench/subdef.sh: phr-subdef built $built files, not $((2 * N))" >&2; exit 1; }
echo "phr-subdef benchmark — $CORES cores, $(date -u +%Y-%m-%d), $N JPEGs of 6000x4000, thumbnail 256 + preview 1024"
python3 - "$N" "$phr_wall" "$phr_cpu" "$phr_rss" "$vips_wall" "$vips_cpu" "$vips_rss" "$im_wall" "$im_cpu" "$im_rss" <<'PY'
import sys
n = int(sys.argv[1])
(pw, pc, pr, vw, vc, vr, iw, ic, ir) = map(float, sys.argv[2:])
print(f"{'':<28}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}{'images/s':>10}")
for name, w, c, r in (("phr-subdef", pw, pc, pr), ("vipsthumbnail", vw, vc, vr), ("ImageMagick convert", iw, ic, ir)):
    print(f"{name:<28}{w:>9.2f}{c:>9.2f}{r:>13.1f}{n / w:>10.2f}")
def verdict(ok): return "met" if ok else "NOT met"
print(f"time / vipsthumbnail        {pw / vw:6.2f}  target <= 0.6  {verdict(pw / vw <= 0.6)}")
print(f"CPU / vipsthumbnail         {pc / vc:6.2f}  target <= 1.0  {verdict(pc / vc <= 1.0)}")
print(f"peak RSS / vipsthumbnail    {pr / vr:6.2f}  target <= 1.5  {verdict(pr / vr <= 1.5)}")
print(f"ImageMagick time / ours     {iw / pw:6.2f}  target >= 3    {verdict(iw / pw >= 3)}")
PY
