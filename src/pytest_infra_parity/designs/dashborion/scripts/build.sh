#!/usr/bin/env bash
# Build one Dashborion Lambda package (replaces SST's parallel Python builder, see seed 000).
# usage: build.sh <function> <src_dir> <out_zip>
# The zip is deterministic (sorted entries, fixed timestamps): the same sources give the same hash.
# `infra-parity package` arrives with the chaos issue; before that the command does not exist yet.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 <function> <src_dir> <out_zip>" >&2
  exit 2
fi
function_name="$1" src_dir="$2" out_zip="$3"

[ -d "$src_dir" ] || { echo "error: $src_dir is not a directory" >&2; exit 1; }
mkdir -p "$(dirname "$out_zip")"
echo "building $function_name from $src_dir -> $out_zip"
exec infra-parity package "$src_dir" -o "$out_zip"
