#!/usr/bin/env bash
# Build one Dashborion Lambda package (replaces SST's parallel Python builder, see seed 000).
# usage: build.sh <function> <src_dir> <out_zip>
# `infra-parity package` writes a deterministic zip (sorted entries, fixed timestamps and modes) through
# a temporary file and an atomic rename; requirements (<src_dir>/requirements.txt, if any) are installed
# once into a shared cache under a file lock. Safe to run many at once: features/dashborion-builds.feature
# proves it with the build race harness.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 <function> <src_dir> <out_zip>" >&2
  exit 2
fi
function_name="$1" src_dir="$2" out_zip="$3"

[ -d "$src_dir" ] || { echo "error: $src_dir is not a directory" >&2; exit 1; }
requirements=()
if [ -f "$src_dir/requirements.txt" ]; then
  requirements=(--requirements "$src_dir/requirements.txt")
fi
echo "building $function_name from $src_dir -> $out_zip"
exec infra-parity package "$src_dir" "${requirements[@]}" -o "$out_zip"
