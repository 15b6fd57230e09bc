#!/usr/bin/env bash
# Regenerate the README's figures from the built-in example data: bash figures/make_figures.sh
#   bic.png       BIC of k = 2..10 (the search picks the true k = 4)
#   clusters.gif  EM at work: k = 4 from four random data points (seed 4 takes 23 iterations to the best fit)
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gmm_em_cli --find_num_clusters_range 2 10 --output_dir "$tmp/search" --quiet
gmm_em_cli --n_clusters 4 --init_params random_from_data --seed 4 --gif --output_dir "$tmp/fit" --quiet
cp "$tmp/search/bic.png" bic.png
cp "$tmp/fit/clusters.gif" clusters.gif
echo "wrote figures/bic.png and figures/clusters.gif"
